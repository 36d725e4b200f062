// Inference kernels: FusedConv2D / FusedDepthwiseConv2D / _FusedMatMul as ONE oneDNN primitive each,
// bias and ReLU/ReLU6 applied as post-ops, and the weights reordered into the primitive's format once
// per weight tensor instead of on every call.
//
// The JS side prepares a primitive once per (shape, bias, activation) and gets an integer handle, so
// a call passes only the handle and the arrays (no shape arrays to read, no key string to build).
// Reordered weights are cached per weight id (JS numbers tensors by their dataId and drops the id
// when the tensor is disposed), bounded in bytes (ADAPTNET_NATIVE_WEIGHT_CACHE_MB, default 512),
// least recently used first out.
#include "inference.h"

#include <omp.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "onednn-common.h"

using dnnl::memory;
using dims = memory::dims;

namespace {


struct Prepared {
  std::unique_ptr<dnnl::primitive> prim;
  bool conv = true;
  bool has_bias = false;
  bool has_add = false;  // residual added through the sum post-op
  memory src, weights, bias, dst;  // user-layout memories; data handles set per call
  memory::desc prim_w;             // the primitive's weight format
  std::unique_ptr<dnnl::reorder> reorder;
  std::unique_ptr<memory> scratch_w;  // reorder target for weights not (yet) cached
  size_t weight_bytes = 0;
  int64_t macs = 0;  // per call: picks the OpenMP threads (ThreadScope)
};

std::vector<std::unique_ptr<Prepared>>& Handles() {
  static std::vector<std::unique_ptr<Prepared>> h;
  return h;
}
std::vector<int32_t>& FreeHandles() {
  static std::vector<int32_t> f;
  return f;
}

int32_t Store(std::unique_ptr<Prepared> p) {
  auto& h = Handles();
  auto& f = FreeHandles();
  if (!f.empty()) {
    const int32_t id = f.back();
    f.pop_back();
    h[id] = std::move(p);
    return id;
  }
  h.push_back(std::move(p));
  return static_cast<int32_t>(h.size() - 1);
}

Prepared* Lookup(const Napi::Env& env, const Napi::Value& v) {
  const int32_t id = v.As<Napi::Number>().Int32Value();
  auto& h = Handles();
  if (id < 0 || static_cast<size_t>(id) >= h.size() || !h[id]) {
    Napi::Error::New(env, "native inference: unknown primitive handle " + std::to_string(id)).ThrowAsJavaScriptException();
    return nullptr;
  }
  return h[id].get();
}

// Reordered weights per (weight id, primitive weight format), LRU over ids, bounded in bytes.
class WeightCache {
 public:
  explicit WeightCache(size_t capacity) : capacity_(capacity) {}

  memory* Find(double id, const memory::desc& desc) {
    auto it = index_.find(id);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    for (auto& [d, m] : it->second->second)
      if (d == desc) return m.get();
    return nullptr;
  }

  memory* Add(double id, const memory::desc& desc, const dnnl::engine& eng) {
    const size_t bytes = desc.get_size();
    if (bytes > capacity_) return nullptr;
    while (bytes_ + bytes > capacity_ && !order_.empty()) EvictLast();
    auto it = index_.find(id);
    if (it == index_.end()) {
      order_.emplace_front(id, Entries());
      it = index_.emplace(id, order_.begin()).first;
    }
    auto& entries = it->second->second;
    entries.emplace_back(desc, std::make_unique<memory>(desc, eng));
    bytes_ += bytes;
    return entries.back().second.get();
  }

  void Drop(double id) {
    auto it = index_.find(id);
    if (it == index_.end()) return;
    for (auto& [d, m] : it->second->second) bytes_ -= d.get_size();
    order_.erase(it->second);
    index_.erase(it);
  }

  size_t bytes() const { return bytes_; }
  size_t tensors() const { return index_.size(); }
  size_t capacity() const { return capacity_; }

 private:
  using Entries = std::vector<std::pair<memory::desc, std::unique_ptr<memory>>>;
  void EvictLast() {
    auto& last = order_.back();
    for (auto& [d, m] : last.second) bytes_ -= d.get_size();
    index_.erase(last.first);
    order_.pop_back();
  }
  size_t capacity_;
  size_t bytes_ = 0;
  std::list<std::pair<double, Entries>> order_;
  std::unordered_map<double, std::list<std::pair<double, Entries>>::iterator> index_;
};

size_t WeightCacheCapacity() {
  const char* v = std::getenv("ADAPTNET_NATIVE_WEIGHT_CACHE_MB");
  if (v == nullptr || *v == '\0') return static_cast<size_t>(512) << 20;
  return static_cast<size_t>(std::strtod(v, nullptr) * (1 << 20));
}

WeightCache& Weights() {
  static WeightCache c(WeightCacheCapacity());
  return c;
}

dims ReadDims(const Napi::Value& v) {
  auto arr = v.As<Napi::Array>();
  dims out(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); i++) out[i] = arr.Get(i).As<Napi::Number>().Int64Value();
  return out;
}

void Finish(Prepared& p, const memory::desc& user_w) {
  auto& eng = NativeEngine();
  p.weights = memory(user_w, eng, DNNL_MEMORY_NONE);
  if (p.prim_w != user_w) {
    p.scratch_w = std::make_unique<memory>(p.prim_w, eng);
    p.reorder = std::make_unique<dnnl::reorder>(dnnl::reorder::primitive_desc(eng, user_w, eng, p.prim_w));
    p.weight_bytes = p.prim_w.get_size();
  }
}

// convPrepare(n, ci, co, groups, inSpatial, outSpatial, kernel, strides, dilations, padL, padR, hasBias, act, hasAdd) → handle
Napi::Value ConvPrepare(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int64_t n = info[0].As<Napi::Number>().Int64Value(), ci = info[1].As<Napi::Number>().Int64Value(),
                co = info[2].As<Napi::Number>().Int64Value(), groups = info[3].As<Napi::Number>().Int64Value();
  const dims in_sp = ReadDims(info[4]), out_sp = ReadDims(info[5]), kernel = ReadDims(info[6]), strides = ReadDims(info[7]);
  dims dil = ReadDims(info[8]);
  for (auto& d : dil) d -= 1;
  const dims pad_l = ReadDims(info[9]), pad_r = ReadDims(info[10]);
  const bool has_bias = info[11].As<Napi::Boolean>().Value();
  const int act = info[12].As<Napi::Number>().Int32Value();
  const bool has_add = info.Length() > 13 && info[13].As<Napi::Boolean>().Value();
  int64_t out_points = n;
  for (int64_t d : out_sp) out_points *= d;
  int64_t taps = ci / groups;
  for (int64_t d : kernel) taps *= d;
  const int64_t macs = out_points * co * taps;
  try {
    ThreadScope threads(macs);
    auto& eng = NativeEngine();
    auto p = std::make_unique<Prepared>();
    p->macs = macs;
    const auto src = ChannelsLastDesc(n, ci, in_sp), dst = ChannelsLastDesc(n, co, out_sp);
    const auto user_w = TfjsWeightsDesc(ci, co, groups, kernel);
    const auto any_w = memory::desc(user_w.dims(), memory::data_type::f32, memory::format_tag::any);
    const auto bias = memory::desc({co}, memory::data_type::f32, memory::format_tag::x);
    auto d = has_bias ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src,
                                                         any_w, bias, dst, strides, dil, pad_l, pad_r)
                      : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src,
                                                         any_w, dst, strides, dil, pad_l, pad_r);
    auto pd = dnnl::convolution_forward::primitive_desc(d, PostOps(act, has_add), eng);
    if (std::getenv("ADAPTNET_NATIVE_VERBOSE")) {
      std::fprintf(stderr, "[adaptnet-native] fused conv n=%ld ci=%ld co=%ld groups=%ld act=%d -> %s\n", static_cast<long>(n),
                   static_cast<long>(ci), static_cast<long>(co), static_cast<long>(groups), act, pd.impl_info_str());
    }
    p->prim = std::make_unique<dnnl::convolution_forward>(pd);
    p->prim_w = pd.weights_desc();
    p->has_bias = has_bias;
    p->has_add = has_add;
    p->src = memory(src, eng, DNNL_MEMORY_NONE);
    p->dst = memory(dst, eng, DNNL_MEMORY_NONE);
    if (has_bias) p->bias = memory(bias, eng, DNNL_MEMORY_NONE);
    Finish(*p, user_w);
    return Napi::Number::New(env, Store(std::move(p)));
  } catch (const dnnl::error& e) {
    Napi::Error::New(env, std::string("oneDNN fused convolution failed: ") + e.what()).ThrowAsJavaScriptException();
    return env.Undefined();
  }
}

// matmulPrepare(m, k, n, transB, hasBias, act) → handle: out[m, n] = a[m, k] · op(b) + bias, act.
Napi::Value MatMulPrepare(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int64_t m = info[0].As<Napi::Number>().Int64Value(), k = info[1].As<Napi::Number>().Int64Value(),
                n = info[2].As<Napi::Number>().Int64Value();
  const bool tb = info[3].As<Napi::Boolean>().Value(), has_bias = info[4].As<Napi::Boolean>().Value();
  const int act = info[5].As<Napi::Number>().Int32Value();
  try {
    ThreadScope threads(m * k * n);
    auto& eng = NativeEngine();
    auto p = std::make_unique<Prepared>();
    p->conv = false;
    p->macs = m * k * n;
    const memory::desc a({m, k}, memory::data_type::f32, dims{k, 1});
    const memory::desc user_w({k, n}, memory::data_type::f32, tb ? dims{1, k} : dims{n, 1});
    const memory::desc c({m, n}, memory::data_type::f32, dims{n, 1});
    const memory::desc bias({1, n}, memory::data_type::f32, dims{n, 1});
    auto d = has_bias ? dnnl::matmul::desc(a, user_w, bias, c) : dnnl::matmul::desc(a, user_w, c);
    auto pd = dnnl::matmul::primitive_desc(d, PostOps(act), eng);
    p->prim = std::make_unique<dnnl::matmul>(pd);
    p->prim_w = pd.weights_desc();
    p->has_bias = has_bias;
    p->src = memory(a, eng, DNNL_MEMORY_NONE);
    p->dst = memory(c, eng, DNNL_MEMORY_NONE);
    if (has_bias) p->bias = memory(bias, eng, DNNL_MEMORY_NONE);
    Finish(*p, user_w);
    return Napi::Number::New(env, Store(std::move(p)));
  } catch (const dnnl::error& e) {
    Napi::Error::New(env, std::string("oneDNN fused matmul failed: ") + e.what()).ThrowAsJavaScriptException();
    return env.Undefined();
  }
}

// fusedRun(handle, x, w, bias | null, out, weightId[, add]): weightId > 0 lets the reordered weights
// be cached under that id (the caller drops the id when the weights change or are disposed); `add`
// (a primitive prepared with hasAdd) is the residual, same shape as out.
Napi::Value FusedRun(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Prepared* p = Lookup(env, info[0]);
  if (p == nullptr) return env.Undefined();
  const double weight_id = info[5].As<Napi::Number>().DoubleValue();
  try {
    ThreadScope threads(p->macs);
    auto& s = NativeStream();
    p->src.set_data_handle(info[1].As<Napi::Float32Array>().Data());
    p->weights.set_data_handle(info[2].As<Napi::Float32Array>().Data());
    auto out = info[4].As<Napi::Float32Array>();
    p->dst.set_data_handle(out.Data());
    if (p->has_add) {
      auto add = info[6].As<Napi::Float32Array>();
      if (add.ElementLength() != out.ElementLength()) {
        Napi::Error::New(env, "fusedRun: the residual's size differs from the output's").ThrowAsJavaScriptException();
        return env.Undefined();
      }
      std::memcpy(out.Data(), add.Data(), out.ElementLength() * sizeof(float));
    }
    memory prim_w = p->weights;
    if (p->reorder) {
      memory* cached = weight_id > 0 ? Weights().Find(weight_id, p->prim_w) : nullptr;
      if (cached == nullptr) {
        memory* target = weight_id > 0 ? Weights().Add(weight_id, p->prim_w, NativeEngine()) : nullptr;
        if (target == nullptr) target = p->scratch_w.get();
        p->reorder->execute(s, p->weights, *target);
        cached = target;
      }
      prim_w = *cached;
    }
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, p->src}, {DNNL_ARG_WEIGHTS, prim_w}, {DNNL_ARG_DST, p->dst}};
    if (p->has_bias) {
      p->bias.set_data_handle(info[3].As<Napi::Float32Array>().Data());
      args.emplace(DNNL_ARG_BIAS, p->bias);
    }
    p->prim->execute(s, args);
    s.wait();
  } catch (const dnnl::error& e) {
    Napi::Error::New(env, std::string("oneDNN fused kernel failed: ") + e.what()).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

Napi::Value Release(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int32_t id = info[0].As<Napi::Number>().Int32Value();
  auto& h = Handles();
  if (id >= 0 && static_cast<size_t>(id) < h.size() && h[id]) {
    h[id].reset();
    FreeHandles().push_back(id);
  }
  return env.Undefined();
}

Napi::Value DropWeights(const Napi::CallbackInfo& info) {
  Weights().Drop(info[0].As<Napi::Number>().DoubleValue());
  return info.Env().Undefined();
}

Napi::Value InferenceCacheStats(const Napi::CallbackInfo& info) {
  auto o = Napi::Object::New(info.Env());
  size_t live = 0;
  for (auto& p : Handles())
    if (p) live++;
  o.Set("primitives", static_cast<double>(live));
  o.Set("weightTensors", static_cast<double>(Weights().tensors()));
  o.Set("weightBytes", static_cast<double>(Weights().bytes()));
  o.Set("weightCapacityBytes", static_cast<double>(Weights().capacity()));
  return o;
}

}  // namespace

void RegisterInference(Napi::Env env, Napi::Object exports) {
  exports.Set("convPrepare", Napi::Function::New(env, ConvPrepare));
  exports.Set("matmulPrepare", Napi::Function::New(env, MatMulPrepare));
  exports.Set("fusedRun", Napi::Function::New(env, FusedRun));
  exports.Set("release", Napi::Function::New(env, Release));
  exports.Set("dropWeights", Napi::Function::New(env, DropWeights));
  exports.Set("inferenceCacheStats", Napi::Function::New(env, InferenceCacheStats));
}
