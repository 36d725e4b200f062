// Strided block copies: the data movement of Concat, SplitV (Concat's gradient), GatherV2 and
// single-axis Slice / Pad. The cpu backend does these element by element through index
// arithmetic; a channel concat of a SlowFast fusion (and its gradient) cost hundreds of ms there.
#include <napi.h>
#include <omp.h>

#include <cstdint>
#include <cstring>

#include "elementwise.h"

namespace {
// Copies are memory-bound: a second thread only pays off on large ones (and costs a barrier).
constexpr int64_t kParallelMin = 1 << 20;
}  // namespace

// copyBlocks(src, dst, outer, len, srcStride, dstStride, srcOffset, dstOffset):
//   for o < outer: dst[dstOffset + o·dstStride + i] = src[srcOffset + o·srcStride + i], i < len
// (len = 0 or outer = 0: nothing). The caller checks the bounds.
Napi::Value CopyBlocks(const Napi::CallbackInfo& info) {
  const float* src = info[0].As<Napi::Float32Array>().Data();
  float* dst = info[1].As<Napi::Float32Array>().Data();
  const int64_t outer = info[2].As<Napi::Number>().Int64Value();
  const int64_t len = info[3].As<Napi::Number>().Int64Value();
  const int64_t srcStride = info[4].As<Napi::Number>().Int64Value();
  const int64_t dstStride = info[5].As<Napi::Number>().Int64Value();
  const int64_t srcOffset = info[6].As<Napi::Number>().Int64Value();
  const int64_t dstOffset = info[7].As<Napi::Number>().Int64Value();
  if (outer <= 0 || len <= 0) return info.Env().Undefined();
  const float* s = src + srcOffset;
  float* d = dst + dstOffset;
  if (outer == 1 || (srcStride == len && dstStride == len)) {
    std::memcpy(d, s, static_cast<size_t>(outer * len) * sizeof(float));
    return info.Env().Undefined();
  }
#pragma omp parallel for schedule(static) if (outer * len >= kParallelMin)
  for (int64_t o = 0; o < outer; o++) std::memcpy(d + o * dstStride, s + o * srcStride, static_cast<size_t>(len) * sizeof(float));
  return info.Env().Undefined();
}

// fill(dst, value): every element of dst = value.
Napi::Value Fill(const Napi::CallbackInfo& info) {
  auto dst = info[0].As<Napi::Float32Array>();
  const float v = info[1].As<Napi::Number>().FloatValue();
  float* d = dst.Data();
  const int64_t n = static_cast<int64_t>(dst.ElementLength());
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (int64_t i = 0; i < n; i++) d[i] = v;
  return info.Env().Undefined();
}
