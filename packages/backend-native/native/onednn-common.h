#pragma once
// The engine, stream and tfjs-layout memory descriptors every oneDNN kernel here shares.
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "oneapi/dnnl/dnnl.hpp"

inline dnnl::engine& NativeEngine() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}

inline dnnl::stream& NativeStream() {
  static dnnl::stream s(NativeEngine());
  return s;
}

// Channels-last data: logical dims {N, C, S...}.
inline dnnl::memory::desc ChannelsLastDesc(int64_t n, int64_t c, const dnnl::memory::dims& spatial) {
  dnnl::memory::dims d{n, c};
  d.insert(d.end(), spatial.begin(), spatial.end());
  dnnl::memory::dims strides(d.size());
  int64_t s = c;
  for (int i = static_cast<int>(spatial.size()) - 1; i >= 0; i--) {
    strides[2 + i] = s;
    s *= spatial[i];
  }
  strides[1] = 1;
  strides[0] = s;
  return dnnl::memory::desc(d, dnnl::memory::data_type::f32, strides);
}

// tfjs filter layout [K..., Ci, Co] (groups == 1) or [K..., Ci, mult] (depthwise, groups == Ci).
inline dnnl::memory::desc TfjsWeightsDesc(int64_t ci, int64_t co, int64_t groups, const dnnl::memory::dims& kernel) {
  const int64_t taps_stride = ci * (groups == 1 ? co : co / ci);
  dnnl::memory::dims kstrides(kernel.size());
  int64_t s = taps_stride;
  for (int i = static_cast<int>(kernel.size()) - 1; i >= 0; i--) {
    kstrides[i] = s;
    s *= kernel[i];
  }
  dnnl::memory::dims d, strides;
  if (groups == 1) {
    d = {co, ci};
    strides = {1, co};
  } else {
    const int64_t mult = co / groups;
    d = {groups, mult, 1};
    strides = {mult, 1, taps_stride};
  }
  d.insert(d.end(), kernel.begin(), kernel.end());
  strides.insert(strides.end(), kstrides.begin(), kstrides.end());
  return dnnl::memory::desc(d, dnnl::memory::data_type::f32, strides);
}

// Multiply-adds per OpenMP thread below which a oneDNN primitive runs on fewer threads
// (ADAPTNET_NATIVE_GRAIN, default 2^22 ≈ 4M: about 0.1 ms of one core). PyTorch's parallel_for
// has the same kind of grain: a small layer gains nothing from a second thread, and each parallel
// region costs a fork/join that, on a loaded machine, waits for both threads to be scheduled.
inline int64_t GrainMacs() {
  static const int64_t grain = [] {
    const char* v = std::getenv("ADAPTNET_NATIVE_GRAIN");
    const long long n = v ? std::strtoll(v, nullptr, 10) : 0;
    return n > 0 ? static_cast<int64_t>(n) : static_cast<int64_t>(1) << 22;
  }();
  return grain;
}

// Sets the OpenMP threads for one primitive's creation and execution by its size (the same size
// always gets the same count, so a primitive runs with the threads it was created for), and
// restores the count afterwards.
class ThreadScope {
 public:
  explicit ThreadScope(int64_t macs) : saved_(omp_get_max_threads()) {
    const int64_t want = std::max<int64_t>(1, macs / GrainMacs());
    if (want < saved_) {
      omp_set_num_threads(static_cast<int>(want));
      changed_ = true;
    }
  }
  ~ThreadScope() {
    if (changed_) omp_set_num_threads(saved_);
  }
  ThreadScope(const ThreadScope&) = delete;
  ThreadScope& operator=(const ThreadScope&) = delete;

 private:
  int saved_;
  bool changed_ = false;
};

// Activations of the fused inference primitives (inference.cc, plan.cc); the JS side sends these codes.
enum Act { kLinear = 0, kRelu = 1, kRelu6 = 2 };

// Post-ops: with `sum`, dst = act(op + bias + dst), the caller having put the residual in dst.
inline dnnl::primitive_attr PostOps(int act, bool sum = false) {
  dnnl::primitive_attr attr;
  if (act == kLinear && !sum) return attr;
  dnnl::post_ops po;
  if (sum) po.append_sum(1.f);
  if (act == kRelu) po.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
  if (act == kRelu6) po.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, 0.f, 6.f);
  attr.set_post_ops(po);
  return attr;
}
