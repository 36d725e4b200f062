// Whole-network inference plans (AdaptNetRunPlan): a prepared subnet's layers as oneDNN primitives
// built once per input shape, with the weights reordered into each primitive's format and the
// intermediate activations in buffers the plan owns, run by ONE addon call (input → logits).
// The per-layer path pays a tfjs kernel call, an N-API call and an output allocation per layer
// (~7–8 µs each); at the smallest configurations that, not arithmetic, was most of the time.
//
// planCreate(ops, slotFloats, weights[, shareFrom]) → handle; shareFrom: a plan of the same ops
//   (another input shape) whose reordered weights this one reuses where the format is the same. ops: one Float64Array per op,
//   [type, src, dst, add, n, h, w, ci, oh, ow, co, k, stride, pad, groups, act, weight, bias]
//   type 0 conv (groups 1 or depthwise), 1 max pool, 2 global average pool, 3 dense;
//   src/dst/add: slot indices, -1 the plan's input, -2 its output, add -3 none (conv only: the
//   residual; add == dst means in place, otherwise copied into dst first); weight/bias: indices
//   into `weights` (tfjs layouts: conv [k, k, ci, co], depthwise [k, k, ci, 1], dense [ci, co]).
// planRun(handle, x, out). planProfile(handle, x, out, reps). planRelease(handle).
// planStats() → { plans, bytes, directSteps, blockedSteps (depthwise steps on a channel-blocked copy) }.
// planDirect([enabled]): whether new plans run small layers with the direct kernels (direct.h).
// planDirectIsa([isa]): the instruction set those kernels run with.
#include "plan.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

#include "direct.h"
#include "onednn-common.h"

using dnnl::memory;
using dims = memory::dims;

namespace {

enum OpType { kConv = 0, kMaxPool = 1, kGlobalAvg = 2, kDense = 3 };
// How a step runs: a oneDNN primitive, or a direct kernel (direct.h).
enum class Impl { kPrimitive, kDepthwise, kPointwise, kSmallConv, kGlobalAvg, kDense };

// planDirect(false) builds plans of oneDNN primitives only (tests compare the two).
bool g_direct = true;

Impl ChooseImpl(int type, int64_t macs, const DirectConvShape& shape, int64_t groups, bool residual) {
  const int64_t ci = shape.ci, co = shape.co, k = shape.k, stride = shape.stride, pad = shape.pad;
  if (!g_direct || !DirectAvailable()) return Impl::kPrimitive;
  if (type == kGlobalAvg) return Impl::kGlobalAvg;
  if (type == kDense) return macs <= kDirectMaxDenseMacs ? Impl::kDense : Impl::kPrimitive;
  if (type != kConv) return Impl::kPrimitive;
  const bool depthwise = groups > 1 && groups == ci && co == ci;
  // oneDNN's depthwise kernel works in blocks of 16 channels: on 8–16 it wastes half its lanes, and
  // the direct one is faster up to the sizes oneDNN would run on one thread (64×64×8: 1.8×).
  if (depthwise && !residual && ci <= 16 && macs <= GrainMacs()) return Impl::kDepthwise;
  // Larger 3×3 stride-1 layers whose channel-blocked copy stays small (AVX-512 only; direct.cc).
  if (depthwise && !residual && macs <= GrainMacs() && DirectBlockedBeatsPrimitive(shape)) return Impl::kDepthwise;
  // One input channel and 8 outputs (the main job's stem at 0.25×): oneDNN's kernel, which works in
  // blocks of 16 output channels, ran at 5–8 MAC/ns, the direct one at ~17 (batch 8: 18–37 →
  // 8.5 µs). With 16–32 outputs or 3 input channels oneDNN is as fast or faster (1 → 32 at 28×28:
  // 8–14 µs, direct 12–16; MobileNet's 128×128×3 stems: 36–60 µs, direct 56–80); with fewer than 8
  // outputs the direct kernel has no whole vector and runs scalar.
  if (groups == 1 && ci == 1 && k > 1 && !residual && co == 8 && macs <= GrainMacs()) return Impl::kSmallConv;
  if (macs > kDirectMaxMacs) return Impl::kPrimitive;
  if (groups == 1 && k == 1 && stride == 1 && pad == 0) return Impl::kPointwise;  // takes the residual too
  if (residual) return Impl::kPrimitive;
  if (depthwise) return Impl::kDepthwise;
  if (groups == 1 && ci <= kDirectMaxStemChannels && co <= kDirectMaxStemOutputs) return Impl::kSmallConv;
  return Impl::kPrimitive;
}
constexpr int kInput = -1, kOutput = -2, kNone = -3;

struct FreeFloats {
  void operator()(float* p) const { std::free(p); }
};
using Floats = std::unique_ptr<float[], FreeFloats>;
// `n` zeroed floats aligned to 64 bytes (a cache line, one AVX-512 vector). new[] aligns to 16
// bytes only, and the direct kernels' vector loads then straddle cache lines: measured 6–13 %
// slower on the main job's layers.
Floats AlignedFloats(size_t n) {
  const size_t bytes = (std::max<size_t>(n, 1) * sizeof(float) + 63) / 64 * 64;
  auto* p = static_cast<float*>(std::aligned_alloc(64, bytes));
  if (p == nullptr) throw std::bad_alloc();
  std::memset(p, 0, bytes);
  return Floats(p);
}
// A dense layer's weight counts as this many MACs when sizing its threads (kDense below): with
// the default grain (4M MACs per thread), a weight matrix of 128K floats (512 KiB) or more gets two.
constexpr int64_t kDenseWorkPerWeight = 64;

struct Step {
  Impl impl = Impl::kPrimitive;
  DirectConvShape direct{};  // the layer's shape for a direct kernel
  // A small padded stride-1 convolution's input copied into a zero-bordered buffer first, and the
  // kernel run unpadded on it (DirectPadded): every output pixel is then an interior one.
  Floats padded;
  // A 3×3 depthwise layer DirectDepthwiseBlocked runs: its block width, and the zero-bordered
  // channel-blocked copy of its input.
  int64_t lanes = 0;
  Floats blocked;
  std::unique_ptr<dnnl::primitive> prim;
  int src = kInput, dst = kOutput, add = kNone;
  memory src_m, dst_m, weights, bias;
  // The memories above as the C API's argument list, built once (set_data_handle updates the
  // memories in place). The C++ execute(stream, map) rebuilds this list on the heap every call.
  std::vector<dnnl_exec_arg_t> args;
  bool has_weights = false;
  size_t dst_floats = 0;
  int64_t macs = 0;
  int64_t work = 0;  // what ThreadScope sizes the threads by: the MACs, or more for a memory-bound op
};

struct Plan {
  std::vector<Step> steps;
  std::vector<Floats> slots;
  size_t bytes = 0;
};

std::vector<std::unique_ptr<Plan>>& Plans() {
  static std::vector<std::unique_ptr<Plan>> p;
  return p;
}

// Copies (reorders) user weights into a memory of the primitive's format that the step owns.
// `shared` (a memory of another plan of the same ops) is reused when its format is `prim`.
memory OwnedWeights(const memory::desc& user, const memory::desc& prim, const float* data, const memory* shared = nullptr) {
  if (shared != nullptr && *shared && shared->get_desc() == prim) return *shared;
  auto& eng = NativeEngine();
  memory user_m(user, eng, const_cast<float*>(data));
  memory owned(prim, eng);
  if (user == prim) {
    std::memcpy(owned.get_data_handle(), data, prim.get_size());
  } else {
    dnnl::reorder(user_m, owned).execute(NativeStream(), user_m, owned);
    NativeStream().wait();
  }
  return owned;
}

Napi::Value PlanCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ops = info[0].As<Napi::Array>();
  auto slot_floats = info[1].As<Napi::Array>();
  auto weights = info[2].As<Napi::Array>();
  auto plan = std::make_unique<Plan>();
  const Plan* share = nullptr;
  if (info.Length() > 3 && info[3].IsNumber()) {
    const int64_t id = info[3].As<Napi::Number>().Int64Value();
    if (id >= 0 && static_cast<size_t>(id) < Plans().size() && Plans()[id] && Plans()[id]->steps.size() == ops.Length()) share = Plans()[id].get();
  }
  for (uint32_t i = 0; i < slot_floats.Length(); i++) {
    const size_t n = static_cast<size_t>(slot_floats.Get(i).As<Napi::Number>().Int64Value());
    plan->slots.push_back(AlignedFloats(n));
    plan->bytes += n * sizeof(float);
  }
  auto& eng = NativeEngine();
  const bool verbose = std::getenv("ADAPTNET_NATIVE_VERBOSE") != nullptr;
  try {
    for (uint32_t i = 0; i < ops.Length(); i++) {
      auto a = ops.Get(i).As<Napi::Float64Array>();
      const double* d = a.Data();
      const int type = static_cast<int>(d[0]);
      Step s;
      s.src = static_cast<int>(d[1]);
      s.dst = static_cast<int>(d[2]);
      s.add = static_cast<int>(d[3]);
      const int64_t n = static_cast<int64_t>(d[4]), h = static_cast<int64_t>(d[5]), w = static_cast<int64_t>(d[6]),
                    ci = static_cast<int64_t>(d[7]), oh = static_cast<int64_t>(d[8]), ow = static_cast<int64_t>(d[9]),
                    co = static_cast<int64_t>(d[10]), k = static_cast<int64_t>(d[11]), st = static_cast<int64_t>(d[12]),
                    pad = static_cast<int64_t>(d[13]), groups = static_cast<int64_t>(d[14]);
      const int act = static_cast<int>(d[15]);
      const int wi = static_cast<int>(d[16]), bi = static_cast<int>(d[17]);
      const float* wdata = wi >= 0 ? weights.Get(wi).As<Napi::Float32Array>().Data() : nullptr;
      const float* bdata = bi >= 0 ? weights.Get(bi).As<Napi::Float32Array>().Data() : nullptr;
      memory::desc src_d, dst_d;
      std::string impl;
      const int64_t macs = type == kConv    ? n * oh * ow * co * (ci / groups) * k * k
                           : type == kDense ? n * ci * co
                                            : n * oh * ow * ci * k * k;
      const DirectConvShape shape{n, h, w, ci, oh, ow, co, k, st, pad, act};
      s.impl = ChooseImpl(type, macs, shape, groups, s.add != kNone);
      if (s.impl != Impl::kPrimitive) {
        // Weights and bias copied as they are (tfjs layouts): the direct kernels read those.
        s.macs = s.work = macs;
        s.direct = shape;
        const size_t padded_floats = static_cast<size_t>(n * (h + 2 * pad) * (w + 2 * pad) * ci);
        if (s.impl == Impl::kDepthwise) s.lanes = DirectBlockLanes(s.direct);
        if (s.lanes > 0) {
          s.blocked = AlignedFloats(padded_floats);
          plan->bytes += padded_floats * sizeof(float);
        } else if ((s.impl == Impl::kDepthwise || s.impl == Impl::kSmallConv) && DirectPadded(s.direct)) {
          s.padded = AlignedFloats(padded_floats);
          plan->bytes += padded_floats * sizeof(float);
        }
        if (type == kDense) {
          src_d = memory::desc({n, ci}, memory::data_type::f32, dims{ci, 1});
          dst_d = memory::desc({n, co}, memory::data_type::f32, dims{co, 1});
          const memory::desc user_w({ci, co}, memory::data_type::f32, dims{co, 1});
          s.weights = OwnedWeights(user_w, user_w, wdata, share ? &share->steps[i].weights : nullptr);
        } else {
          src_d = ChannelsLastDesc(n, ci, {h, w});
          dst_d = ChannelsLastDesc(n, type == kConv ? co : ci, {oh, ow});
          if (type == kConv) {
            const auto user_w = TfjsWeightsDesc(ci, co, groups, {k, k});
            s.weights = OwnedWeights(user_w, user_w, wdata, share ? &share->steps[i].weights : nullptr);
          }
        }
        if (type == kConv || type == kDense) {
          const memory::desc bias_d({co}, memory::data_type::f32, memory::format_tag::x);
          s.bias = OwnedWeights(bias_d, bias_d, bdata, share ? &share->steps[i].bias : nullptr);
          s.has_weights = true;
        }
        impl = "direct";
      } else if (type == kConv) {
        s.macs = s.work = n * oh * ow * co * (ci / groups) * k * k;
        ThreadScope threads(s.work);
        src_d = ChannelsLastDesc(n, ci, {h, w});
        dst_d = ChannelsLastDesc(n, co, {oh, ow});
        const auto user_w = TfjsWeightsDesc(ci, co, groups, {k, k});
        const memory::desc any_w(user_w.dims(), memory::data_type::f32, memory::format_tag::any);
        const memory::desc bias_d({co}, memory::data_type::f32, memory::format_tag::x);
        dnnl::convolution_forward::desc cd(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src_d, any_w,
                                           bias_d, dst_d, {st, st}, {0, 0}, {pad, pad}, {pad, pad});
        dnnl::convolution_forward::primitive_desc pd(cd, PostOps(act, s.add != kNone), eng);
        impl = pd.impl_info_str();
        s.weights = OwnedWeights(user_w, pd.weights_desc(), wdata, share ? &share->steps[i].weights : nullptr);
        s.bias = OwnedWeights(bias_d, bias_d, bdata, share ? &share->steps[i].bias : nullptr);
        s.has_weights = true;
        s.prim = std::make_unique<dnnl::convolution_forward>(pd);
      } else if (type == kMaxPool || type == kGlobalAvg) {
        s.macs = s.work = n * oh * ow * ci * k * k;
        ThreadScope threads(s.work);
        src_d = ChannelsLastDesc(n, ci, {h, w});
        dst_d = ChannelsLastDesc(n, ci, {oh, ow});
        const auto alg = type == kMaxPool ? dnnl::algorithm::pooling_max : dnnl::algorithm::pooling_avg_exclude_padding;
        const dims kernel = type == kMaxPool ? dims{k, k} : dims{h, w};
        dnnl::pooling_forward::desc pdsc(dnnl::prop_kind::forward_inference, alg, src_d, dst_d, {st, st}, kernel, {pad, pad}, {pad, pad});
        dnnl::pooling_forward::primitive_desc pd(pdsc, eng);
        impl = pd.impl_info_str();
        s.prim = std::make_unique<dnnl::pooling_forward>(pd);
      } else if (type == kDense) {
        s.macs = n * ci * co;
        // At a small batch the classifier streams its weights once per row, so one core's bandwidth
        // bounds it (MobileNetV2's 1280×1000 head: 215 µs of a 670 µs forward on one thread).
        // Split over the threads, each core reads its share, and a share small enough stays in
        // that core's L2 between forwards (measured: 215 → 100 µs on two threads).
        s.work = std::max(s.macs, ci * co * kDenseWorkPerWeight);
        ThreadScope threads(s.work);
        src_d = memory::desc({n, ci}, memory::data_type::f32, dims{ci, 1});
        dst_d = memory::desc({n, co}, memory::data_type::f32, dims{co, 1});
        const memory::desc user_w({ci, co}, memory::data_type::f32, dims{co, 1});
        const memory::desc any_w({ci, co}, memory::data_type::f32, memory::format_tag::any);
        const memory::desc bias_d({1, co}, memory::data_type::f32, dims{co, 1});
        dnnl::matmul::desc md(src_d, any_w, bias_d, dst_d);
        dnnl::matmul::primitive_desc pd(md, PostOps(act, false), eng);
        impl = pd.impl_info_str();
        s.weights = OwnedWeights(user_w, pd.weights_desc(), wdata, share ? &share->steps[i].weights : nullptr);
        s.bias = OwnedWeights(bias_d, bias_d, bdata, share ? &share->steps[i].bias : nullptr);
        s.has_weights = true;
        s.prim = std::make_unique<dnnl::matmul>(pd);
      } else {
        Napi::Error::New(env, "planCreate: unknown op type " + std::to_string(type)).ThrowAsJavaScriptException();
        return env.Undefined();
      }
      if (verbose)
        std::fprintf(stderr, "[adaptnet-native] plan op %u type %d %lldx%lldx%lld -> %lldx%lldx%lld k%lld s%lld g%lld%s, %lld MACs -> %s\n", i,
                     type, static_cast<long long>(h), static_cast<long long>(w), static_cast<long long>(ci), static_cast<long long>(oh),
                     static_cast<long long>(ow), static_cast<long long>(co), static_cast<long long>(k), static_cast<long long>(st),
                     static_cast<long long>(groups), s.add != kNone ? " +residual" : "", static_cast<long long>(s.macs), impl.c_str());
      s.src_m = memory(src_d, eng, DNNL_MEMORY_NONE);
      s.dst_m = memory(dst_d, eng, DNNL_MEMORY_NONE);
      s.dst_floats = dst_d.get_size() / sizeof(float);
      s.args = {{DNNL_ARG_SRC, s.src_m.get()}, {DNNL_ARG_DST, s.dst_m.get()}};
      if (s.has_weights) {
        s.args.push_back({DNNL_ARG_WEIGHTS, s.weights.get()});
        s.args.push_back({DNNL_ARG_BIAS, s.bias.get()});
      }
      plan->steps.push_back(std::move(s));
    }
  } catch (const dnnl::error& e) {
    Napi::Error::New(env, std::string("planCreate: oneDNN failed: ") + e.what()).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto& plans = Plans();
  for (size_t i = 0; i < plans.size(); i++) {
    if (!plans[i]) {
      plans[i] = std::move(plan);
      return Napi::Number::New(env, static_cast<double>(i));
    }
  }
  plans.push_back(std::move(plan));
  return Napi::Number::New(env, static_cast<double>(plans.size() - 1));
}

Plan* Find(const Napi::Env& env, const Napi::Value& v) {
  const int64_t id = v.As<Napi::Number>().Int64Value();
  auto& plans = Plans();
  if (id < 0 || static_cast<size_t>(id) >= plans.size() || !plans[id]) {
    Napi::Error::New(env, "native plan: unknown handle " + std::to_string(id)).ThrowAsJavaScriptException();
    return nullptr;
  }
  return plans[id].get();
}

// Runs every step; with `op_ns`, waits after each step and adds its wall time there (profiles).
void Execute(Plan* plan, float* x, float* out, double* op_ns) {
  auto buffer = [&](int slot) { return slot == kInput ? x : slot == kOutput ? out : plan->slots[slot].get(); };
  auto& s = NativeStream();
  for (size_t i = 0; i < plan->steps.size(); i++) {
    Step& st = plan->steps[i];
    const auto t0 = op_ns ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    float* dst = buffer(st.dst);
    if (st.add != kNone && st.add != st.dst) std::memcpy(dst, buffer(st.add), st.dst_floats * sizeof(float));
    const float* src = buffer(st.src);
    DirectConvShape d = st.direct;
    if (st.padded) {
      DirectPadInterior(d, src, st.padded.get());
      src = st.padded.get();
      d.h += 2 * d.pad;
      d.w += 2 * d.pad;
      d.pad = 0;
    }
    const auto* w = st.has_weights ? static_cast<const float*>(st.weights.get_data_handle()) : nullptr;
    const auto* b = st.has_weights ? static_cast<const float*>(st.bias.get_data_handle()) : nullptr;
    switch (st.impl) {
      case Impl::kDepthwise:
        if (st.lanes > 0) {
          DirectDepthwiseBlocked(d, st.lanes, src, st.blocked.get(), w, b, dst);
        } else {
          DirectDepthwise(d, src, w, b, dst);
        }
        break;
      case Impl::kSmallConv:
        DirectSmallConv(d, src, w, b, dst);
        break;
      case Impl::kPointwise:
        DirectPointwise(d.n * d.h * d.w, d.ci, d.co, d.act, st.add != kNone, src, w, b, dst);
        break;
      case Impl::kGlobalAvg:
        DirectGlobalAvg(d.n, d.h * d.w, d.ci, src, dst);
        break;
      case Impl::kDense:
        DirectDense(d.n, d.ci, d.co, d.act, src, w, b, dst);
        break;
      case Impl::kPrimitive: {
        ThreadScope threads(st.work);
        st.src_m.set_data_handle(const_cast<float*>(src));
        st.dst_m.set_data_handle(dst);
        dnnl::error::wrap_c_api(
            dnnl_primitive_execute(st.prim->get(), s.get(), static_cast<int>(st.args.size()), st.args.data()), "plan step execute");
        break;
      }
    }
    if (op_ns) {
      s.wait();
      op_ns[i] += std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    }
  }
  s.wait();
}

Napi::Value PlanRun(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Plan* plan = Find(env, info[0]);
  if (plan == nullptr) return env.Undefined();
  try {
    Execute(plan, info[1].As<Napi::Float32Array>().Data(), info[2].As<Napi::Float32Array>().Data(), nullptr);
  } catch (const dnnl::error& e) {
    Napi::Error::New(env, std::string("planRun: oneDNN failed: ") + e.what()).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

// planProfile(handle, x, out, reps) → Float64Array: per op, the fastest of `reps` runs in ns.
Napi::Value PlanProfile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Plan* plan = Find(env, info[0]);
  if (plan == nullptr) return env.Undefined();
  const int reps = info[3].As<Napi::Number>().Int32Value();
  auto best = Napi::Float64Array::New(env, plan->steps.size());
  std::vector<double> ns(plan->steps.size());
  for (size_t i = 0; i < ns.size(); i++) best[i] = 1e300;
  try {
    for (int r = 0; r < reps; r++) {
      std::fill(ns.begin(), ns.end(), 0.0);
      Execute(plan, info[1].As<Napi::Float32Array>().Data(), info[2].As<Napi::Float32Array>().Data(), ns.data());
      for (size_t i = 0; i < ns.size(); i++) best[i] = std::min(best[i], ns[i]);
    }
  } catch (const dnnl::error& e) {
    Napi::Error::New(env, std::string("planProfile: oneDNN failed: ") + e.what()).ThrowAsJavaScriptException();
  }
  return best;
}

Napi::Value PlanRelease(const Napi::CallbackInfo& info) {
  const int64_t id = info[0].As<Napi::Number>().Int64Value();
  auto& plans = Plans();
  if (id >= 0 && static_cast<size_t>(id) < plans.size()) plans[id].reset();
  return info.Env().Undefined();
}

Napi::Value PlanStats(const Napi::CallbackInfo& info) {
  auto o = Napi::Object::New(info.Env());
  // Activation buffers per plan, weight copies once however many plans share them.
  size_t live = 0, bytes = 0, direct = 0, blocked = 0;
  std::unordered_map<void*, size_t> weights;
  for (auto& p : Plans()) {
    if (!p) continue;
    live++;
    bytes += p->bytes;
    for (auto& st : p->steps) {
      if (st.impl != Impl::kPrimitive) direct++;
      if (st.lanes > 0) blocked++;
      if (!st.has_weights) continue;
      weights.emplace(st.weights.get_data_handle(), st.weights.get_desc().get_size());
      weights.emplace(st.bias.get_data_handle(), st.bias.get_desc().get_size());
    }
  }
  for (auto& [ptr, n] : weights) bytes += n;
  o.Set("plans", static_cast<double>(live));
  o.Set("bytes", static_cast<double>(bytes));
  o.Set("directSteps", static_cast<double>(direct));
  o.Set("blockedSteps", static_cast<double>(blocked));
  return o;
}

// planDirect([enabled]) → whether plans built from now on use the direct kernels (default true).
Napi::Value PlanDirect(const Napi::CallbackInfo& info) {
  if (info.Length() > 0 && info[0].IsBoolean()) g_direct = info[0].As<Napi::Boolean>().Value();
  return Napi::Boolean::New(info.Env(), g_direct);
}

// planDirectIsa([isa]) → the instruction set the direct kernels run with (direct.h: SetDirectIsa);
// throws for a level this CPU does not run.
Napi::Value PlanDirectIsa(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() > 0 && info[0].IsString()) {
    const std::string isa = info[0].As<Napi::String>().Utf8Value();
    if (!SetDirectIsa(isa)) {
      Napi::Error::New(env, "planDirectIsa: '" + isa + "' is not available on this CPU (it runs " + DirectIsa() +
                                "; allowed: best, x86-64-v4, x86-64-v3 at or below the CPU's level)")
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }
  return Napi::String::New(env, DirectIsa());
}

// noop(): nothing; measures the N-API call itself (bench/floor-profile).
Napi::Value Noop(const Napi::CallbackInfo& info) { return info.Env().Undefined(); }

}  // namespace

void RegisterPlan(Napi::Env env, Napi::Object exports) {
  exports.Set("planCreate", Napi::Function::New(env, PlanCreate));
  exports.Set("planRun", Napi::Function::New(env, PlanRun));
  exports.Set("planProfile", Napi::Function::New(env, PlanProfile));
  exports.Set("planRelease", Napi::Function::New(env, PlanRelease));
  exports.Set("planStats", Napi::Function::New(env, PlanStats));
  exports.Set("noop", Napi::Function::New(env, Noop));
  exports.Set("planDirect", Napi::Function::New(env, PlanDirect));
  exports.Set("planDirectIsa", Napi::Function::New(env, PlanDirectIsa));
}
