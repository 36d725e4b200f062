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

// segmentSum(x, ids, out, rows, inner, numSegments): out = 0, then out[ids[r]] += x[r] for every
// row r (rows of `inner` floats); ids outside [0, numSegments) are dropped (TF). Threads own
// column ranges, so no two write the same element.
Napi::Value SegmentSum(const Napi::CallbackInfo& info) {
  const float* x = info[0].As<Napi::Float32Array>().Data();
  const int32_t* ids = info[1].As<Napi::Int32Array>().Data();
  float* out = info[2].As<Napi::Float32Array>().Data();
  const int64_t rows = info[3].As<Napi::Number>().Int64Value();
  const int64_t inner = info[4].As<Napi::Number>().Int64Value();
  const int64_t segments = info[5].As<Napi::Number>().Int64Value();
#pragma omp parallel if (rows * inner >= kParallelMin)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    const int64_t j0 = inner * t / nt, j1 = inner * (t + 1) / nt;
    for (int64_t s = 0; s < segments; s++) std::memset(out + s * inner + j0, 0, static_cast<size_t>(j1 - j0) * sizeof(float));
    for (int64_t r = 0; r < rows; r++) {
      const int64_t s = ids[r];
      if (s < 0 || s >= segments) continue;
      const float* __restrict__ src = x + r * inner;
      float* __restrict__ dst = out + s * inner;
      for (int64_t j = j0; j < j1; j++) dst[j] += src[j];
    }
  }
  return info.Env().Undefined();
}
