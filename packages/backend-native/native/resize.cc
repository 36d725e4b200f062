// Bilinear / nearest resize and their gradients (NHWC), with TF's align_corners and
// half_pixel_centers conventions, the same formulas as tfjs's cpu kernels. Parallel over rows;
// the gradients parallelise over batch images so no two threads scatter into the same image.
#include <napi.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "elementwise.h"

namespace {

double SourceScale(int64_t in, int64_t out, bool align) {
  const double ei = align && out > 1 ? in - 1 : in;
  const double eo = align && out > 1 ? out - 1 : out;
  return ei / eo;
}

struct Taps {
  int64_t lo, hi;
  float frac;
};

std::vector<Taps> BilinearTaps(int64_t in, int64_t out, bool align, bool half) {
  const double s = SourceScale(in, out, align);
  std::vector<Taps> t(out);
  for (int64_t o = 0; o < out; o++) {
    const double f = half ? s * (o + 0.5) - 0.5 : s * o;
    const int64_t lo = std::max<int64_t>(0, static_cast<int64_t>(std::floor(f)));
    t[o] = {lo, std::min<int64_t>(in - 1, static_cast<int64_t>(std::ceil(f))), static_cast<float>(f - lo)};
  }
  return t;
}

std::vector<int64_t> NearestIndex(int64_t in, int64_t out, bool align, bool half) {
  const double s = SourceScale(in, out, align);
  std::vector<int64_t> idx(out);
  for (int64_t o = 0; o < out; o++) {
    const double f = half ? s * (o + 0.5) : s * o;
    int64_t i = std::min<int64_t>(in - 1, static_cast<int64_t>(align ? std::round(f) : std::floor(f)));
    idx[o] = half ? std::max<int64_t>(0, i) : i;
  }
  return idx;
}

struct Args {
  const float* src;
  float* dst;
  int64_t b, h, w, c, oh, ow;
  bool align, half;
};

Args Read(const Napi::CallbackInfo& info) {
  // (src, dst, b, h, w, c, oh, ow, alignCorners, halfPixelCenters); h, w: image; oh, ow: resized
  return {info[0].As<Napi::Float32Array>().Data(), info[1].As<Napi::Float32Array>().Data(),
          info[2].As<Napi::Number>().Int64Value(), info[3].As<Napi::Number>().Int64Value(),
          info[4].As<Napi::Number>().Int64Value(), info[5].As<Napi::Number>().Int64Value(),
          info[6].As<Napi::Number>().Int64Value(), info[7].As<Napi::Number>().Int64Value(),
          info[8].As<Napi::Boolean>().Value(), info[9].As<Napi::Boolean>().Value()};
}

}  // namespace

Napi::Value ResizeBilinear(const Napi::CallbackInfo& info) {
  const Args a = Read(info);
  const auto rows = BilinearTaps(a.h, a.oh, a.align, a.half), cols = BilinearTaps(a.w, a.ow, a.align, a.half);
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t n = 0; n < a.b; n++) {
    for (int64_t i = 0; i < a.oh; i++) {
      const Taps r = rows[i];
      const float* top = a.src + (n * a.h + r.lo) * a.w * a.c;
      const float* bot = a.src + (n * a.h + r.hi) * a.w * a.c;
      float* out = a.dst + (n * a.oh + i) * a.ow * a.c;
      for (int64_t j = 0; j < a.ow; j++) {
        const Taps q = cols[j];
        for (int64_t ch = 0; ch < a.c; ch++) {
          const float t = top[q.lo * a.c + ch] + (top[q.hi * a.c + ch] - top[q.lo * a.c + ch]) * q.frac;
          const float u = bot[q.lo * a.c + ch] + (bot[q.hi * a.c + ch] - bot[q.lo * a.c + ch]) * q.frac;
          out[j * a.c + ch] = t + (u - t) * r.frac;
        }
      }
    }
  }
  return info.Env().Undefined();
}

// src = dy [b, oh, ow, c], dst = dx [b, h, w, c] (overwritten)
Napi::Value ResizeBilinearGrad(const Napi::CallbackInfo& info) {
  const Args a = Read(info);
  const auto rows = BilinearTaps(a.h, a.oh, a.align, a.half), cols = BilinearTaps(a.w, a.ow, a.align, a.half);
  std::fill(a.dst, a.dst + a.b * a.h * a.w * a.c, 0.f);
#pragma omp parallel for schedule(static)
  for (int64_t n = 0; n < a.b; n++) {
    for (int64_t i = 0; i < a.oh; i++) {
      const Taps r = rows[i];
      float* top = a.dst + (n * a.h + r.lo) * a.w * a.c;
      float* bot = a.dst + (n * a.h + r.hi) * a.w * a.c;
      const float* g = a.src + (n * a.oh + i) * a.ow * a.c;
      for (int64_t j = 0; j < a.ow; j++) {
        const Taps q = cols[j];
        const float wtl = (1 - r.frac) * (1 - q.frac), wtr = (1 - r.frac) * q.frac;
        const float wbl = r.frac * (1 - q.frac), wbr = r.frac * q.frac;
        for (int64_t ch = 0; ch < a.c; ch++) {
          const float v = g[j * a.c + ch];
          top[q.lo * a.c + ch] += v * wtl;
          top[q.hi * a.c + ch] += v * wtr;
          bot[q.lo * a.c + ch] += v * wbl;
          bot[q.hi * a.c + ch] += v * wbr;
        }
      }
    }
  }
  return info.Env().Undefined();
}

Napi::Value ResizeNearest(const Napi::CallbackInfo& info) {
  const Args a = Read(info);
  const auto rows = NearestIndex(a.h, a.oh, a.align, a.half), cols = NearestIndex(a.w, a.ow, a.align, a.half);
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t n = 0; n < a.b; n++) {
    for (int64_t i = 0; i < a.oh; i++) {
      const float* in = a.src + (n * a.h + rows[i]) * a.w * a.c;
      float* out = a.dst + (n * a.oh + i) * a.ow * a.c;
      for (int64_t j = 0; j < a.ow; j++) std::copy(in + cols[j] * a.c, in + (cols[j] + 1) * a.c, out + j * a.c);
    }
  }
  return info.Env().Undefined();
}

Napi::Value ResizeNearestGrad(const Napi::CallbackInfo& info) {
  const Args a = Read(info);
  const auto rows = NearestIndex(a.h, a.oh, a.align, a.half), cols = NearestIndex(a.w, a.ow, a.align, a.half);
  std::fill(a.dst, a.dst + a.b * a.h * a.w * a.c, 0.f);
#pragma omp parallel for schedule(static)
  for (int64_t n = 0; n < a.b; n++) {
    for (int64_t i = 0; i < a.oh; i++) {
      float* in = a.dst + (n * a.h + rows[i]) * a.w * a.c;
      const float* g = a.src + (n * a.oh + i) * a.ow * a.c;
      for (int64_t j = 0; j < a.ow; j++) {
        for (int64_t ch = 0; ch < a.c; ch++) in[cols[j] * a.c + ch] += g[j * a.c + ch];
      }
    }
  }
  return info.Env().Undefined();
}
