// AdaptNet native kernels: oneDNN primitives over tfjs's channels-last Float32Arrays, in place.
//
// Layouts are described to oneDNN with explicit strides, so tfjs buffers are used as they are:
//   data     [N, S..., C]        (nhwc / ndhwc)
//   weights  [K..., Ci, Co]      (hwio / dhwio), or depthwise [K..., Ci, mult] as groups = Ci
// Convolutions let oneDNN pick its weight format and reorder into it; activations stay channels-last.
// Primitives (and their reorders) are cached per shape.
#include <napi.h>
#include <omp.h>

#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "elementwise.h"
#include "inference.h"
#include "swish.h"
#include "lru-cache.h"
#include "plan.h"
#include "onednn-common.h"
#include "oneapi/dnnl/dnnl.hpp"

using dnnl::memory;
using dims = memory::dims;

namespace {

dnnl::engine& Engine() { return NativeEngine(); }

dnnl::stream& Stream() { return NativeStream(); }

dims ReadDims(const Napi::Value& v) {
  auto arr = v.As<Napi::Array>();
  dims out(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); i++) out[i] = arr.Get(i).As<Napi::Number>().Int64Value();
  return out;
}

float* Ptr(const Napi::Value& v) { return v.As<Napi::Float32Array>().Data(); }

std::string Key(const std::vector<const dims*>& parts, int64_t extra) {
  std::string k = std::to_string(extra);
  for (const dims* d : parts) {
    k += '|';
    for (int64_t x : *d) k += std::to_string(x) + ',';
  }
  return k;
}

memory::desc DataDesc(int64_t n, int64_t c, const dims& spatial) { return ChannelsLastDesc(n, c, spatial); }

memory::desc WeightsDesc(int64_t ci, int64_t co, int64_t groups, const dims& kernel) { return TfjsWeightsDesc(ci, co, groups, kernel); }

memory::desc AnyWeightsDesc(const memory::desc& user) {
  return memory::desc(user.dims(), memory::data_type::f32, memory::format_tag::any);
}

struct ConvCache {
  // Exactly one of these is set, by kind.
  std::unique_ptr<dnnl::convolution_forward> fwd;
  std::unique_ptr<dnnl::convolution_backward_data> bwd_data;
  std::unique_ptr<dnnl::convolution_backward_weights> bwd_weights;
  memory::desc user_weights;
  memory::desc prim_weights;
  memory::desc src, dst;
  std::unique_ptr<memory> weights_buf;  // oneDNN-format weights, when it differs from the user's
  std::unique_ptr<dnnl::reorder> weights_reorder;  // user → primitive format (kinds 0, 1)
  std::unique_ptr<dnnl::reorder> weights_unreorder;  // primitive → user format (kind 2)
};

// Capacity: ADAPTNET_NATIVE_CACHE entries per primitive kind (default 2048).
size_t CacheCapacity() {
  const char* v = std::getenv("ADAPTNET_NATIVE_CACHE");
  const long n = v ? std::strtol(v, nullptr, 10) : 0;
  return n > 0 ? static_cast<size_t>(n) : 2048;
}

LruCache<ConvCache>& ConvCaches() {
  static LruCache<ConvCache> c(CacheCapacity());
  return c;
}

// conv(kind, a, b, out, n, ci, co, groups, inSpatial, outSpatial, kernel, strides, dilations, padL, padR)
//   kind 0: forward          a = x,  b = w,  out = y
//   kind 1: backward data    a = dy, b = w,  out = dx
//   kind 2: backward weights a = x,  b = dy, out = dw
Napi::Value Conv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 15) {
    Napi::TypeError::New(env, "conv: expected 15 arguments").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const int kind = info[0].As<Napi::Number>().Int32Value();
  const int64_t n = info[4].As<Napi::Number>().Int64Value();
  const int64_t ci = info[5].As<Napi::Number>().Int64Value();
  const int64_t co = info[6].As<Napi::Number>().Int64Value();
  const int64_t groups = info[7].As<Napi::Number>().Int64Value();
  const dims in_sp = ReadDims(info[8]), out_sp = ReadDims(info[9]), kernel = ReadDims(info[10]);
  const dims strides = ReadDims(info[11]);
  dims dil = ReadDims(info[12]);
  for (auto& d : dil) d -= 1;  // oneDNN counts inserted gaps; tfjs counts the step.
  const dims pad_l = ReadDims(info[13]), pad_r = ReadDims(info[14]);
  const dims nd{n, ci, co, groups};
  const std::string key = Key({&nd, &in_sp, &out_sp, &kernel, &strides, &dil, &pad_l, &pad_r}, kind);

  // Forward convolutions get threads by size (ThreadScope); the gradients keep every thread, so
  // training's reductions run exactly as before.
  int64_t fwd_macs = INT64_MAX;
  if (kind == 0) {
    fwd_macs = n * co * (ci / groups);
    for (int64_t d : out_sp) fwd_macs *= d;
    for (int64_t d : kernel) fwd_macs *= d;
  }
  try {
    ThreadScope threads(fwd_macs);
    auto& caches = ConvCaches();
    ConvCache* cached = caches.Get(key);
    if (cached == nullptr) {
      auto c = std::make_unique<ConvCache>();
      c->src = DataDesc(n, ci, in_sp);
      c->dst = DataDesc(n, co, out_sp);
      c->user_weights = WeightsDesc(ci, co, groups, kernel);
      const auto any_w = AnyWeightsDesc(c->user_weights);
      auto fwd_d = dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                                   c->src, any_w, c->dst, strides, dil, pad_l, pad_r);
      auto fwd_pd = dnnl::convolution_forward::primitive_desc(fwd_d, Engine());
      std::string impl;
      if (kind == 0) {
        impl = fwd_pd.impl_info_str();
        c->prim_weights = fwd_pd.weights_desc();
        c->fwd = std::make_unique<dnnl::convolution_forward>(fwd_pd);
      } else if (kind == 1) {
        auto d = dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct, c->src, any_w, c->dst, strides, dil,
                                                       pad_l, pad_r);
        auto pd = dnnl::convolution_backward_data::primitive_desc(d, Engine(), fwd_pd);
        impl = pd.impl_info_str();
        c->prim_weights = pd.weights_desc();
        c->bwd_data = std::make_unique<dnnl::convolution_backward_data>(pd);
      } else {
        auto d = dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, c->src, any_w, c->dst, strides,
                                                          dil, pad_l, pad_r);
        auto pd = dnnl::convolution_backward_weights::primitive_desc(d, Engine(), fwd_pd);
        impl = pd.impl_info_str();
        c->prim_weights = pd.diff_weights_desc();
        c->bwd_weights = std::make_unique<dnnl::convolution_backward_weights>(pd);
      }
      if (std::getenv("ADAPTNET_NATIVE_VERBOSE")) {
        const char* names[] = {"fwd", "bwd_data", "bwd_weights"};
        std::fprintf(stderr, "[adaptnet-native] conv %s %s -> %s (weights reorder: %s)\n", names[kind], key.c_str(), impl.c_str(),
                     c->prim_weights != c->user_weights ? "yes" : "no");
        std::fflush(stderr);
      }
      if (c->prim_weights != c->user_weights) {
        c->weights_buf = std::make_unique<memory>(c->prim_weights, Engine());
        // Built once: constructing a reorder primitive costs tens of microseconds per call.
        if (kind == 2) {
          c->weights_unreorder = std::make_unique<dnnl::reorder>(dnnl::reorder::primitive_desc(Engine(), c->prim_weights, Engine(), c->user_weights));
        } else {
          c->weights_reorder = std::make_unique<dnnl::reorder>(dnnl::reorder::primitive_desc(Engine(), c->user_weights, Engine(), c->prim_weights));
        }
      }
      cached = caches.Put(key, std::move(c));
    }
    ConvCache& c = *cached;
    auto& s = Stream();
    auto& eng = Engine();
    if (kind == 0 || kind == 1) {
      memory user_w(c.user_weights, eng, Ptr(info[2]));
      memory prim_w = user_w;
      if (c.weights_buf) {
        c.weights_reorder->execute(s, user_w, *c.weights_buf);
        prim_w = *c.weights_buf;
      }
      if (kind == 0) {
        memory x(c.src, eng, Ptr(info[1])), y(c.dst, eng, Ptr(info[3]));
        c.fwd->execute(s, {{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, prim_w}, {DNNL_ARG_DST, y}});
      } else {
        memory dy(c.dst, eng, Ptr(info[1])), dx(c.src, eng, Ptr(info[3]));
        c.bwd_data->execute(s, {{DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_WEIGHTS, prim_w}, {DNNL_ARG_DIFF_SRC, dx}});
      }
    } else {
      memory x(c.src, eng, Ptr(info[1])), dy(c.dst, eng, Ptr(info[2]));
      memory user_dw(c.user_weights, eng, Ptr(info[3]));
      memory prim_dw = c.weights_buf ? *c.weights_buf : user_dw;
      c.bwd_weights->execute(s, {{DNNL_ARG_SRC, x}, {DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_DIFF_WEIGHTS, prim_dw}});
      if (c.weights_buf) c.weights_unreorder->execute(s, prim_dw, user_dw);
    }
    s.wait();
  } catch (const dnnl::error& e) {
    Napi::Error::New(env, std::string("oneDNN convolution failed: ") + e.what()).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

struct MatMulCache {
  std::unique_ptr<dnnl::matmul> prim;
  memory::desc a, b, c;
};

LruCache<MatMulCache>& MatMulCaches() {
  static LruCache<MatMulCache> c(CacheCapacity());
  return c;
}

// matmul(a, b, out, batchA, batchB, m, k, n, transA, transB): out[batch, m, n] = op(a) · op(b),
// batch broadcast when one side's batch is 1.
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int64_t ba = info[3].As<Napi::Number>().Int64Value(), bb = info[4].As<Napi::Number>().Int64Value();
  const int64_t m = info[5].As<Napi::Number>().Int64Value(), k = info[6].As<Napi::Number>().Int64Value(),
                n = info[7].As<Napi::Number>().Int64Value();
  const bool ta = info[8].As<Napi::Boolean>().Value(), tb = info[9].As<Napi::Boolean>().Value();
  auto& caches = MatMulCaches();
  const dims key_dims{ba, bb, m, k, n, ta, tb};
  const std::string key = Key({&key_dims}, 0);
  try {
    MatMulCache* cached = caches.Get(key);
    if (cached == nullptr) {
      auto c = std::make_unique<MatMulCache>();
      const int64_t bo = std::max(ba, bb);
      c->a = memory::desc({ba, m, k}, memory::data_type::f32, ta ? dims{m * k, 1, m} : dims{m * k, k, 1});
      c->b = memory::desc({bb, k, n}, memory::data_type::f32, tb ? dims{k * n, 1, k} : dims{k * n, n, 1});
      c->c = memory::desc({bo, m, n}, memory::data_type::f32, dims{m * n, n, 1});
      auto d = dnnl::matmul::desc(c->a, c->b, c->c);
      c->prim = std::make_unique<dnnl::matmul>(dnnl::matmul::primitive_desc(d, Engine()));
      cached = caches.Put(key, std::move(c));
    }
    MatMulCache& c = *cached;
    memory a(c.a, Engine(), Ptr(info[0])), b(c.b, Engine(), Ptr(info[1])), out(c.c, Engine(), Ptr(info[2]));
    c.prim->execute(Stream(), {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, out}});
    Stream().wait();
  } catch (const dnnl::error& e) {
    Napi::Error::New(env, std::string("oneDNN matmul failed: ") + e.what()).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

// reluGrad(dy, x, dx, cap): dx = dy where 0 < x (< cap when cap > 0), else 0.
void MaskCopy(const float* __restrict__ dy, const float* __restrict__ x, float* __restrict__ dx, int64_t n, float hi) {
  // dy · mask, as tfjs's mul(dy, step(x)) computes it (so 0·inf stays NaN, as there).
  for (int64_t i = 0; i < n; i++) dx[i] = dy[i] * static_cast<float>((x[i] > 0.f) & (x[i] <= hi));
}

Napi::Value ReluGrad(const Napi::CallbackInfo& info) {
  auto dya = info[0].As<Napi::Float32Array>();
  const float* __restrict__ dy = dya.Data();
  const float* __restrict__ x = info[1].As<Napi::Float32Array>().Data();
  float* __restrict__ dx = info[2].As<Napi::Float32Array>().Data();
  const float cap = info[3].As<Napi::Number>().FloatValue();
  const float hi = cap > 0.f ? cap : INFINITY;
  const int64_t n = static_cast<int64_t>(dya.ElementLength());
  // Branch-free (masks vectorise; a branch on the sign of activations mispredicts half the time).
  // Each thread runs a plain inner loop on its own block so the compiler sees restrict pointers.
  const int nt = n >= (1 << 15) ? omp_get_max_threads() : 1;
#pragma omp parallel num_threads(nt)
  {
    const int t = omp_get_thread_num();
    const int64_t b = n * t / nt, e = n * (t + 1) / nt;
    MaskCopy(dy + b, x + b, dx + b, e - b, hi);
  }
  return info.Env().Undefined();
}

LruCache<MatMulCache>& MatMulCaches();

Napi::Value CacheSizes(const Napi::CallbackInfo& info) {
  auto o = Napi::Object::New(info.Env());
  o.Set("conv", static_cast<double>(ConvCaches().size()));
  o.Set("matmul", static_cast<double>(MatMulCaches().size()));
  o.Set("capacity", static_cast<double>(CacheCapacity()));
  return o;
}

Napi::Value Version(const Napi::CallbackInfo& info) {
  const dnnl_version_t* v = dnnl_version();
  auto o = Napi::Object::New(info.Env());
  o.Set("onednn", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
  o.Set("cpuRuntime", v->cpu_runtime == DNNL_RUNTIME_OMP ? "omp" : "other");
  o.Set("isa", static_cast<double>(dnnl_get_effective_cpu_isa()));
  return o;
}

Napi::Value SetThreads(const Napi::CallbackInfo& info);

}  // namespace

namespace {
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  if (info.Length() > 0 && info[0].IsNumber()) omp_set_num_threads(info[0].As<Napi::Number>().Int32Value());
  return Napi::Number::New(info.Env(), omp_get_max_threads());
}
}  // namespace

#include <malloc.h>

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // Every kernel output is a fresh multi-MB Float32Array. Above glibc's default 128 KiB threshold
  // each one is a new mmap, so every op pays page faults on first touch. Serving them from the
  // heap (and keeping freed memory there) makes the allocator behave like a caching allocator.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
  exports.Set("conv", Napi::Function::New(env, Conv));
  exports.Set("matmul", Napi::Function::New(env, MatMul));
  exports.Set("version", Napi::Function::New(env, Version));
  exports.Set("cacheSizes", Napi::Function::New(env, CacheSizes));
  exports.Set("threads", Napi::Function::New(env, SetThreads));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("reluGrad", Napi::Function::New(env, ReluGrad));
  exports.Set("resizeBilinear", Napi::Function::New(env, ResizeBilinear));
  exports.Set("resizeBilinearGrad", Napi::Function::New(env, ResizeBilinearGrad));
  exports.Set("resizeNearest", Napi::Function::New(env, ResizeNearest));
  exports.Set("resizeNearestGrad", Napi::Function::New(env, ResizeNearestGrad));
  exports.Set("pool", Napi::Function::New(env, Pool));
  exports.Set("poolGrad", Napi::Function::New(env, PoolGrad));
  exports.Set("batchNormTrain", Napi::Function::New(env, BatchNormTrain));
  exports.Set("batchNormGrad", Napi::Function::New(env, BatchNormGrad));
  exports.Set("sgdStep", Napi::Function::New(env, SgdStep));
  exports.Set("copyBlocks", Napi::Function::New(env, CopyBlocks));
  exports.Set("fill", Napi::Function::New(env, Fill));
  exports.Set("segmentSum", Napi::Function::New(env, SegmentSum));
  RegisterInference(env, exports);
  RegisterPlan(env, exports);
  RegisterSwish(env, exports);
  return exports;
}

NODE_API_MODULE(adaptnet_native, Init)
