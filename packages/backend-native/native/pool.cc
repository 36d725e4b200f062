// Max / average pooling and their gradients, 2D (NHWC) and 3D (NDHWC), with tfjs's semantics:
// padding never wins a max (the first maximum in window order does; a max starts at -inf, so NaN
// never wins), an average divides by the in-bounds count. 2D is 3D with depth 1. Gradients run parallel over batch items, so scatters never race.
#include <napi.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "elementwise.h"

namespace {

// Input [b, d, h, w, c], output [b, od, oh, ow, c]; window k*, stride s*, leading pad p*, dilation t*.
struct Geometry {
  int64_t b, d, h, w, c, od, oh, ow, kd, kh, kw, sd, sh, sw, pd, pt, pl, td, th, tw;
};

// 2D: [b, h, w, c, oh, ow, kh, kw, sh, sw, padTop, padLeft, dh, dw] (14 numbers).
// 3D: [b, d, h, w, c, od, oh, ow, kd, kh, kw, sd, sh, sw, padFront, padTop, padLeft, dd, dh, dw] (20).
Geometry Read(const Napi::CallbackInfo& info, int first) {
  const int count = static_cast<int>(info.Length()) - first;
  std::vector<int64_t> v(count);
  for (int i = 0; i < count; i++) v[i] = info[first + i].As<Napi::Number>().Int64Value();
  if (count == 14) return {v[0], 1, v[1], v[2], v[3], 1, v[4], v[5], 1, v[6], v[7], 1, v[8], v[9], 0, v[10], v[11], 1, v[12], v[13]};
  if (count != 20) throw Napi::TypeError::New(info.Env(), "pool: expected a 14- or 20-number geometry");
  return {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15], v[16], v[17], v[18], v[19]};
}

// Calls f(inputOffset) for each in-bounds tap of output (a, i, j) of batch item n, in window order.
template <typename F>
void ForWindow(const Geometry& g, int64_t n, int64_t a, int64_t i, int64_t j, F f) {
  for (int64_t r = 0; r < g.kd; r++) {
    const int64_t z = a * g.sd - g.pd + r * g.td;
    if (z < 0 || z >= g.d) continue;
    for (int64_t p = 0; p < g.kh; p++) {
      const int64_t y = i * g.sh - g.pt + p * g.th;
      if (y < 0 || y >= g.h) continue;
      for (int64_t q = 0; q < g.kw; q++) {
        const int64_t x = j * g.sw - g.pl + q * g.tw;
        if (x < 0 || x >= g.w) continue;
        f((((n * g.d + z) * g.h + y) * g.w + x) * g.c);
      }
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
#pragma omp for collapse(3) schedule(static)
    for (int64_t n = 0; n < g.b; n++) {
      for (int64_t a = 0; a < g.od; a++) {
        for (int64_t i = 0; i < g.oh; i++) {
          for (int64_t j = 0; j < g.ow; j++) {
            std::fill(acc.begin(), acc.end(), kind == 0 ? -INFINITY : 0.f);
            int64_t count = 0;
            float* ac = acc.data();
            ForWindow(g, n, a, i, j, [&](int64_t off) {
              count++;
              const float* xs = x + off;
              if (kind == 0) {
                for (int64_t ch = 0; ch < g.c; ch++) ac[ch] = xs[ch] > ac[ch] ? xs[ch] : ac[ch];
              } else {
                for (int64_t ch = 0; ch < g.c; ch++) acc[ch] += xs[ch];
              }
            });
            float* out = y + (((n * g.od + a) * g.oh + i) * g.ow + j) * g.c;
            const float inv = count > 0 ? 1.f / count : 0.f;
            for (int64_t ch = 0; ch < g.c; ch++) out[ch] = kind == 0 ? acc[ch] : acc[ch] * inv;
          }
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
  // Parallel over (batch item, channel block) when the batch alone would leave threads idle.
  const int64_t blocks = std::max<int64_t>(1, std::min<int64_t>(g.c / 16, (omp_get_max_threads() + g.b - 1) / g.b));
  const int64_t per = (g.c + blocks - 1) / blocks;
  const int64_t image = g.d * g.h * g.w * g.c;
#pragma omp parallel
  {
    std::vector<float> best(g.c);
    std::vector<int64_t> arg(g.c);
#pragma omp for collapse(2) schedule(static)
    for (int64_t n = 0; n < g.b; n++) {
      for (int64_t blk = 0; blk < blocks; blk++) {
        const int64_t c0 = blk * per, c1 = std::min(g.c, c0 + per);
        for (int64_t e = 0; e < image; e += g.c) std::fill(dx + n * image + e + c0, dx + n * image + e + c1, 0.f);
        for (int64_t a = 0; a < g.od; a++) {
          for (int64_t i = 0; i < g.oh; i++) {
            for (int64_t j = 0; j < g.ow; j++) {
              const float* gy = dy + (((n * g.od + a) * g.oh + i) * g.ow + j) * g.c;
              if (kind == 0) {
                std::fill(arg.begin() + c0, arg.begin() + c1, -1);
                ForWindow(g, n, a, i, j, [&](int64_t off) {
                  for (int64_t ch = c0; ch < c1; ch++) {
                    const float v = x[off + ch];
                    if (arg[ch] < 0 || v > best[ch]) {
                      best[ch] = v;
                      arg[ch] = off + ch;
                    }
                  }
                });
                for (int64_t ch = c0; ch < c1; ch++) {
                  if (arg[ch] >= 0) dx[arg[ch]] += gy[ch];
                }
              } else {
                int64_t count = 0;
                ForWindow(g, n, a, i, j, [&](int64_t) { count++; });
                if (count == 0) continue;
                const float inv = 1.f / count;
                ForWindow(g, n, a, i, j, [&](int64_t off) {
                  for (int64_t ch = c0; ch < c1; ch++) dx[off + ch] += gy[ch] * inv;
                });
              }
            }
          }
        }
      }
    }
  }
  return info.Env().Undefined();
}
