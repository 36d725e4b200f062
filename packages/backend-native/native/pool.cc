// 2D max / average pooling and their gradients (NHWC) with TF semantics: padding never wins a max
// (the first maximum in window order does), an average divides by the in-bounds count. Parallel
// over batch images, so gradient scatters never race.
#include <napi.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "elementwise.h"

namespace {

struct Geometry {
  int64_t b, h, w, c, oh, ow, kh, kw, sh, sw, pt, pl, dh, dw;
};

Geometry Read(const Napi::CallbackInfo& info, int first) {
  int64_t v[14];
  for (int i = 0; i < 14; i++) v[i] = info[first + i].As<Napi::Number>().Int64Value();
  return {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13]};
}

// Calls f(inputOffset) for each in-bounds tap of output (i, j) of image n, in window order.
template <typename F>
void ForWindow(const Geometry& g, int64_t n, int64_t i, int64_t j, F f) {
  for (int64_t p = 0; p < g.kh; p++) {
    const int64_t y = i * g.sh - g.pt + p * g.dh;
    if (y < 0 || y >= g.h) continue;
    for (int64_t q = 0; q < g.kw; q++) {
      const int64_t x = j * g.sw - g.pl + q * g.dw;
      if (x < 0 || x >= g.w) continue;
      f(((n * g.h + y) * g.w + x) * g.c);
    }
  }
}

}  // namespace

// pool(kind, x, y, ...geometry): kind 0 max, 1 avg
Napi::Value Pool(const Napi::CallbackInfo& info) {
  const int kind = info[0].As<Napi::Number>().Int32Value();
  const float* x = info[1].As<Napi::Float32Array>().Data();
  float* y = info[2].As<Napi::Float32Array>().Data();
  const Geometry g = Read(info, 3);
#pragma omp parallel
  {
    std::vector<float> acc(g.c);
    std::vector<char> any(g.c);
#pragma omp for collapse(2) schedule(static)
    for (int64_t n = 0; n < g.b; n++) {
      for (int64_t i = 0; i < g.oh; i++) {
        for (int64_t j = 0; j < g.ow; j++) {
          std::fill(acc.begin(), acc.end(), kind == 0 ? -INFINITY : 0.f);
          std::fill(any.begin(), any.end(), 0);
          int64_t count = 0;
          ForWindow(g, n, i, j, [&](int64_t off) {
            count++;
            for (int64_t ch = 0; ch < g.c; ch++) {
              const float v = x[off + ch];
              if (kind == 0) {
                if (!any[ch] || v > acc[ch]) acc[ch] = v;  // as tfjs: NaN never wins
                any[ch] = 1;
              } else {
                acc[ch] += v;
              }
            }
          });
          float* out = y + ((n * g.oh + i) * g.ow + j) * g.c;
          for (int64_t ch = 0; ch < g.c; ch++) out[ch] = kind == 0 ? acc[ch] : (count > 0 ? acc[ch] / count : 0.f);
        }
      }
    }
  }
  return info.Env().Undefined();
}

// poolGrad(kind, dy, x, dx, ...geometry): x is only read for max (which tap won)
Napi::Value PoolGrad(const Napi::CallbackInfo& info) {
  const int kind = info[0].As<Napi::Number>().Int32Value();
  const float* dy = info[1].As<Napi::Float32Array>().Data();
  const float* x = info[2].As<Napi::Float32Array>().Data();
  float* dx = info[3].As<Napi::Float32Array>().Data();
  const Geometry g = Read(info, 4);
  std::fill(dx, dx + g.b * g.h * g.w * g.c, 0.f);
#pragma omp parallel
  {
    std::vector<float> best(g.c);
    std::vector<int64_t> arg(g.c);
#pragma omp for schedule(static)
    for (int64_t n = 0; n < g.b; n++) {
      for (int64_t i = 0; i < g.oh; i++) {
        for (int64_t j = 0; j < g.ow; j++) {
          const float* gy = dy + ((n * g.oh + i) * g.ow + j) * g.c;
          if (kind == 0) {
            std::fill(arg.begin(), arg.end(), -1);
            ForWindow(g, n, i, j, [&](int64_t off) {
              for (int64_t ch = 0; ch < g.c; ch++) {
                const float v = x[off + ch];
                if (arg[ch] < 0 || v > best[ch]) {
                  best[ch] = v;
                  arg[ch] = off + ch;
                }
              }
            });
            for (int64_t ch = 0; ch < g.c; ch++) {
              if (arg[ch] >= 0) dx[arg[ch]] += gy[ch];
            }
          } else {
            int64_t count = 0;
            ForWindow(g, n, i, j, [&](int64_t) { count++; });
            if (count == 0) continue;
            const float inv = 1.f / count;
            ForWindow(g, n, i, j, [&](int64_t off) {
              for (int64_t ch = 0; ch < g.c; ch++) dx[off + ch] += gy[ch] * inv;
            });
          }
        }
      }
    }
  }
  return info.Env().Undefined();
}
