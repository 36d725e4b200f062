// Swish y = x·σ(x) and its gradient in one pass each, in place of Sigmoid + Multiply forward and
// the four elementwise kernels tfjs's autodiff makes of their gradients.
#include "swish.h"

#include <omp.h>

#include <cmath>
#include <cstdint>

namespace {

constexpr int64_t kParallelMin = 1 << 15;

// Each thread runs a plain loop on its own block, so the compiler sees restrict pointers.
template <typename F>
void Blocks(int64_t n, F f) {
  const int nt = n >= kParallelMin ? omp_get_max_threads() : 1;
#pragma omp parallel num_threads(nt)
  {
    const int t = omp_get_thread_num();
    const int64_t b = n * t / nt, e = n * (t + 1) / nt;
    f(b, e);
  }
}

void SwishLoop(const float* __restrict__ x, float* __restrict__ y, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const float v = x[i];
    y[i] = v * (1.f / (1.f + std::exp(-v)));
  }
}

void SwishGradLoop(const float* __restrict__ dy, const float* __restrict__ x, float* __restrict__ dx, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const float v = x[i];
    const float s = 1.f / (1.f + std::exp(-v));
    dx[i] = dy[i] * (s * (1.f + v * (1.f - s)));
  }
}

// swish(x, out)
Napi::Value Swish(const Napi::CallbackInfo& info) {
  auto xa = info[0].As<Napi::Float32Array>();
  const float* x = xa.Data();
  float* y = info[1].As<Napi::Float32Array>().Data();
  Blocks(static_cast<int64_t>(xa.ElementLength()), [&](int64_t b, int64_t e) { SwishLoop(x + b, y + b, e - b); });
  return info.Env().Undefined();
}

// swishGrad(dy, x, out)
Napi::Value SwishGrad(const Napi::CallbackInfo& info) {
  auto dya = info[0].As<Napi::Float32Array>();
  const float* dy = dya.Data();
  const float* x = info[1].As<Napi::Float32Array>().Data();
  float* dx = info[2].As<Napi::Float32Array>().Data();
  Blocks(static_cast<int64_t>(dya.ElementLength()),
         [&](int64_t b, int64_t e) { SwishGradLoop(dy + b, x + b, dx + b, e - b); });
  return info.Env().Undefined();
}

}  // namespace

void RegisterSwish(Napi::Env env, Napi::Object exports) {
  exports.Set("swish", Napi::Function::New(env, Swish));
  exports.Set("swishGrad", Napi::Function::New(env, SwishGrad));
}
