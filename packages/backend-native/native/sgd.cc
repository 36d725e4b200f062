// Fused SGD step (PyTorch torch.optim.SGD semantics) over float32 buffers: one pass that reads
// w, g, v and writes w', v', instead of ~5 tfjs kernels (and ~5 passes) per parameter.
//
// The arithmetic is the composed path's, op for op, each result rounded to float32 in the same
// order (no FMA contraction: binding.gyp builds with -ffp-contract=off), so the two agree bit for bit:
//   g' = g + w·wd                         (wd > 0)
//   v' = v·m + g'·(1 − d)                 (m > 0; the ·(1 − d) only when d > 0)
//   step = nesterov ? g' + v'·m : v'      (m > 0; else step = g')
//   w' = w − step·lr
#include <napi.h>
#include <omp.h>

#include <cstdint>

#include "elementwise.h"

namespace {

constexpr int64_t kParallelMin = 1 << 15;

template <bool kWd, bool kMom, bool kNesterov, bool kDamp>
void SgdBlock(const float* __restrict__ w, const float* __restrict__ g, const float* __restrict__ v, float* __restrict__ wo,
              float* __restrict__ vo, int64_t n, float lr, float m, float wd, float omd) {
  for (int64_t i = 0; i < n; i++) {
    float gp = g[i];
    if (kWd) gp = gp + w[i] * wd;
    float step = gp;
    if (kMom) {
      const float vn = v[i] * m + (kDamp ? gp * omd : gp);
      vo[i] = vn;
      step = kNesterov ? gp + vn * m : vn;
    }
    wo[i] = w[i] - step * lr;
  }
}

using BlockFn = void (*)(const float*, const float*, const float*, float*, float*, int64_t, float, float, float, float);

BlockFn Pick(bool wd, bool mom, bool nesterov, bool damp) {
  if (!mom) return wd ? SgdBlock<true, false, false, false> : SgdBlock<false, false, false, false>;
  if (nesterov) return wd ? SgdBlock<true, true, true, false> : SgdBlock<false, true, true, false>;
  if (damp) return wd ? SgdBlock<true, true, false, true> : SgdBlock<false, true, false, true>;
  return wd ? SgdBlock<true, true, false, false> : SgdBlock<false, true, false, false>;
}

struct SgdParams {
  float lr, m, wd, omd;
  bool momentum;  // m > 0 as given (a tiny m may round to 0 in float32 and still use the buffer)
  BlockFn fn;
};

SgdParams ReadParams(const Napi::CallbackInfo& info, int at) {
  const double lr = info[at].As<Napi::Number>().DoubleValue();
  const double m = info[at + 1].As<Napi::Number>().DoubleValue();
  const bool nesterov = info[at + 2].As<Napi::Boolean>().Value();
  const double wd = info[at + 3].As<Napi::Number>().DoubleValue();
  const double d = info[at + 4].As<Napi::Number>().DoubleValue();
  // Scalars are rounded to float32 as tfjs rounds a scalar tensor; 1 − d is computed in double
  // first, as the composed path computes it in JS.
  return {static_cast<float>(lr), static_cast<float>(m), static_cast<float>(wd), static_cast<float>(1.0 - d),
          m > 0, Pick(wd > 0, m > 0, nesterov, d > 0)};
}

void RunBlocks(const SgdParams& p, const float* w, const float* g, const float* v, float* wo, float* vo, int64_t n) {
  const int nt = n >= kParallelMin ? omp_get_max_threads() : 1;
  if (nt == 1) {
    p.fn(w, g, v, wo, vo, n, p.lr, p.m, p.wd, p.omd);
    return;
  }
#pragma omp parallel num_threads(nt)
  {
    const int t = omp_get_thread_num();
    const int k = omp_get_num_threads();
    // Blocks aligned to 16 floats so threads never share a cache line of the outputs.
    const int64_t b = (n * t / k) & ~int64_t{15}, e = t + 1 == k ? n : (n * (t + 1) / k) & ~int64_t{15};
    p.fn(w + b, g + b, v ? v + b : nullptr, wo + b, vo ? vo + b : nullptr, e - b, p.lr, p.m, p.wd, p.omd);
  }
}

}  // namespace

// sgdStep(w, g, v, wOut, vOut, lr, momentum, nesterov, weightDecay, dampening).
// With momentum 0, v and vOut are not read or written (pass empty arrays).
Napi::Value SgdStep(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto wa = info[0].As<Napi::Float32Array>(), ga = info[1].As<Napi::Float32Array>(), va = info[2].As<Napi::Float32Array>();
  auto woa = info[3].As<Napi::Float32Array>(), voa = info[4].As<Napi::Float32Array>();
  const SgdParams p = ReadParams(info, 5);
  const bool mom = p.momentum;
  const size_t n = wa.ElementLength();
  if (ga.ElementLength() != n || woa.ElementLength() != n || (mom && (va.ElementLength() != n || voa.ElementLength() != n))) {
    Napi::RangeError::New(env, "sgdStep: param, grad, velocity and both outputs must have the same length").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  RunBlocks(p, wa.Data(), ga.Data(), mom ? va.Data() : nullptr, woa.Data(), mom ? voa.Data() : nullptr, static_cast<int64_t>(n));
  return env.Undefined();
}
