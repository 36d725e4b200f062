// Elementwise and reduction kernels over float32 buffers, parallel with OpenMP.
#include <napi.h>
#include <omp.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "elementwise.h"

namespace {

constexpr int64_t kParallelMin = 1 << 15;

std::vector<int64_t> ReadShape(const Napi::Value& v) {
  auto arr = v.As<Napi::Array>();
  std::vector<int64_t> out(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); i++) out[i] = arr.Get(i).As<Napi::Number>().Int64Value();
  return out;
}

template <typename F>
void BinaryLoop(const float* a, const float* b, float* out, std::vector<int64_t> as, std::vector<int64_t> bs,
                std::vector<int64_t> os, F f) {
  const size_t r = os.size();
  // Left-pad input shapes to the output rank, then per-dim strides (0 where broadcast).
  as.insert(as.begin(), r - as.size(), 1);
  bs.insert(bs.begin(), r - bs.size(), 1);
  std::vector<int64_t> sa(r), sb(r);
  int64_t ka = 1, kb = 1;
  for (int i = static_cast<int>(r) - 1; i >= 0; i--) {
    sa[i] = as[i] == 1 ? 0 : ka;
    sb[i] = bs[i] == 1 ? 0 : kb;
    ka *= as[i];
    kb *= bs[i];
  }
  // Collapse adjacent dims that broadcast the same way, so the inner loop is as long as possible.
  std::vector<int64_t> d, da, db;
  for (size_t i = 0; i < r; i++) {
    if (os[i] == 1) continue;
    if (!d.empty()) {
      const size_t j = d.size() - 1;
      const bool a_ok = (sa[i] == 0 && da[j] == 0) || (sa[i] != 0 && da[j] == sa[i] * os[i]);
      const bool b_ok = (sb[i] == 0 && db[j] == 0) || (sb[i] != 0 && db[j] == sb[i] * os[i]);
      if (a_ok && b_ok) {
        d[j] *= os[i];
        da[j] = sa[i];
        db[j] = sb[i];
        continue;
      }
    }
    d.push_back(os[i]);
    da.push_back(sa[i]);
    db.push_back(sb[i]);
  }
  if (d.empty()) {
    out[0] = f(a[0], b[0]);
    return;
  }
  const int64_t inner = d.back(), ia = da.back(), ib = db.back();
  const int64_t rows = [&] {
    int64_t n = 1;
    for (size_t i = 0; i + 1 < d.size(); i++) n *= d[i];
    return n;
  }();
  const int nd = static_cast<int>(d.size()) - 1;
#pragma omp parallel for if (rows * inner >= kParallelMin) schedule(static)
  for (int64_t row = 0; row < rows; row++) {
    int64_t oa = 0, ob = 0, rem = row;
    for (int i = nd - 1; i >= 0; i--) {
      const int64_t c = rem % d[i];
      rem /= d[i];
      oa += c * da[i];
      ob += c * db[i];
    }
    const float* pa = a + oa;
    const float* pb = b + ob;
    float* po = out + row * inner;
    if (ia == 1 && ib == 1) {
      for (int64_t k = 0; k < inner; k++) po[k] = f(pa[k], pb[k]);
    } else if (ia == 1) {
      for (int64_t k = 0; k < inner; k++) po[k] = f(pa[k], pb[k * ib]);
    } else if (ib == 1) {
      for (int64_t k = 0; k < inner; k++) po[k] = f(pa[k * ia], pb[k]);
    } else {
      for (int64_t k = 0; k < inner; k++) po[k] = f(pa[k * ia], pb[k * ib]);
    }
  }
}

template <typename F>
void UnaryLoop(const float* x, float* out, int64_t n, F f) {
#pragma omp parallel for if (n >= kParallelMin) schedule(static)
  for (int64_t i = 0; i < n; i++) out[i] = f(x[i]);
}

}  // namespace

// binary(op, a, aShape, b, bShape, out, outShape)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  const int op = info[0].As<Napi::Number>().Int32Value();
  const float* a = info[1].As<Napi::Float32Array>().Data();
  const float* b = info[3].As<Napi::Float32Array>().Data();
  float* out = info[5].As<Napi::Float32Array>().Data();
  auto as = ReadShape(info[2]), bs = ReadShape(info[4]), os = ReadShape(info[6]);
  switch (op) {
    case 0: BinaryLoop(a, b, out, as, bs, os, [](float x, float y) { return x + y; }); break;
    case 1: BinaryLoop(a, b, out, as, bs, os, [](float x, float y) { return x - y; }); break;
    case 2: BinaryLoop(a, b, out, as, bs, os, [](float x, float y) { return x * y; }); break;
    case 3: BinaryLoop(a, b, out, as, bs, os, [](float x, float y) { return x / y; }); break;
    // tfjs propagates NaN in maximum/minimum.
    case 4: BinaryLoop(a, b, out, as, bs, os, [](float x, float y) { return std::isnan(x) || std::isnan(y) ? NAN : (x > y ? x : y); }); break;
    case 5: BinaryLoop(a, b, out, as, bs, os, [](float x, float y) { return std::isnan(x) || std::isnan(y) ? NAN : (x < y ? x : y); }); break;
    case 6: BinaryLoop(a, b, out, as, bs, os, [](float x, float y) { return (x - y) * (x - y); }); break;
    default: Napi::Error::New(info.Env(), "binary: unknown op").ThrowAsJavaScriptException();
  }
  return info.Env().Undefined();
}

// unary(op, x, out, alpha)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  const int op = info[0].As<Napi::Number>().Int32Value();
  auto xa = info[1].As<Napi::Float32Array>();
  const float* x = xa.Data();
  float* out = info[2].As<Napi::Float32Array>().Data();
  const int64_t n = static_cast<int64_t>(xa.ElementLength());
  const float alpha = info.Length() > 3 ? info[3].As<Napi::Number>().FloatValue() : 0.f;
  switch (op) {
    case 0: UnaryLoop(x, out, n, [](float v) { return v < 0.f ? 0.f : v; }); break;
    case 1: UnaryLoop(x, out, n, [](float v) { return v < 0.f ? 0.f : (v > 6.f ? 6.f : v); }); break;
    case 2: UnaryLoop(x, out, n, [alpha](float v) { return std::isnan(v) ? NAN : (v > 0.f ? 1.f : alpha); }); break;
    case 3: UnaryLoop(x, out, n, [](float v) { return -v; }); break;
    case 4: UnaryLoop(x, out, n, [](float v) { return v * v; }); break;
    case 5: UnaryLoop(x, out, n, [](float v) { return std::sqrt(v); }); break;
    case 6: UnaryLoop(x, out, n, [](float v) { return 1.f / std::sqrt(v); }); break;
    case 7: UnaryLoop(x, out, n, [](float v) { return std::exp(v); }); break;
    case 8: UnaryLoop(x, out, n, [](float v) { return std::log(v); }); break;
    case 9: UnaryLoop(x, out, n, [](float v) { return std::fabs(v); }); break;
    case 10: UnaryLoop(x, out, n, [](float v) { return 1.f / (1.f + std::exp(-v)); }); break;
    case 11: UnaryLoop(x, out, n, [](float v) { return std::tanh(v); }); break;
    default: Napi::Error::New(info.Env(), "unary: unknown op").ThrowAsJavaScriptException();
  }
  return info.Env().Undefined();
}

// reduce(op, x, out, outer, mid, inner): out[o, i] = reduce_m x[o, m, i]; op 0 sum, 1 mean, 2 max, 3 min
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  const int op = info[0].As<Napi::Number>().Int32Value();
  const float* x = info[1].As<Napi::Float32Array>().Data();
  float* out = info[2].As<Napi::Float32Array>().Data();
  const int64_t outer = info[3].As<Napi::Number>().Int64Value(), mid = info[4].As<Napi::Number>().Int64Value(),
                inner = info[5].As<Napi::Number>().Int64Value();
  const bool is_max = op == 2, is_min = op == 3;
  const int threads = omp_get_max_threads();
  if (inner == 1) {
#pragma omp parallel for if (outer * mid >= kParallelMin) schedule(static)
    for (int64_t o = 0; o < outer; o++) {
      const float* p = x + o * mid;
      // double accumulation: sums over up to millions of values stay exact to float precision.
      double acc = is_max ? -INFINITY : is_min ? INFINITY : 0.0;
      for (int64_t m = 0; m < mid; m++) {
        const float v = p[m];
        if (is_max) acc = (std::isnan(v) || v > acc) ? v : acc;
        else if (is_min) acc = (std::isnan(v) || v < acc) ? v : acc;
        else acc += v;
      }
      out[o] = static_cast<float>(op == 1 ? acc / mid : acc);
    }
    return info.Env().Undefined();
  }
  // Reduce a middle axis: each thread reduces a slice of `mid` into its own row, then rows combine.
  std::vector<double> partial(static_cast<size_t>(threads) * outer * inner);
  const double init = is_max ? -INFINITY : is_min ? INFINITY : 0.0;
#pragma omp parallel num_threads(threads) if (outer * mid * inner >= kParallelMin)
  {
    const int t = omp_get_thread_num();
    const int nt = omp_get_num_threads();
    double* acc = partial.data() + static_cast<size_t>(t) * outer * inner;
    for (int64_t i = 0; i < outer * inner; i++) acc[i] = init;
    for (int64_t o = 0; o < outer; o++) {
      const int64_t m0 = mid * t / nt, m1 = mid * (t + 1) / nt;
      for (int64_t m = m0; m < m1; m++) {
        const float* p = x + (o * mid + m) * inner;
        double* a = acc + o * inner;
        if (is_max) {
          for (int64_t i = 0; i < inner; i++) a[i] = (std::isnan(p[i]) || p[i] > a[i]) ? p[i] : a[i];
        } else if (is_min) {
          for (int64_t i = 0; i < inner; i++) a[i] = (std::isnan(p[i]) || p[i] < a[i]) ? p[i] : a[i];
        } else {
          for (int64_t i = 0; i < inner; i++) a[i] += p[i];
        }
      }
    }
#pragma omp barrier
#pragma omp for schedule(static)
    for (int64_t i = 0; i < outer * inner; i++) {
      double r = partial[i];
      for (int k = 1; k < nt; k++) {
        const double v = partial[static_cast<size_t>(k) * outer * inner + i];
        if (is_max) r = (std::isnan(v) || v > r) ? v : r;
        else if (is_min) r = (std::isnan(v) || v < r) ? v : r;
        else r += v;
      }
      out[i] = static_cast<float>(op == 1 ? r / mid : r);
    }
  }
  return info.Env().Undefined();
}
