#pragma once
// Direct channels-last kernels for the plan steps oneDNN runs worst: small 1×1 and depthwise
// convolutions, convolutions with few input channels (a network's stem), global average pooling
// and small dense layers. A oneDNN primitive costs ~0.7 µs per call before any arithmetic
// (argument maps, scratchpad, kernel set-up), and its depthwise kernel works in blocks of 16
// channels. On the main job's smallest configuration (15 layers of 1–65K MACs) that made 20 µs of
// primitives; these kernels run the same layers in ~8 µs (bench/floor-profile in
// @adaptnet/export). Single-threaded: they only run on layers too small for a second thread to
// pay off. The buffers they read and write should be 64-byte aligned (plan.cc's are): vector
// loads that straddle cache lines made them 6–13 % slower.
#include <cstdint>
#include <string>

struct DirectConvShape {
  int64_t n, h, w, ci, oh, ow, co, k, stride, pad;
  int act;  // Act (onednn-common.h)
};

// y[n, oh, ow, c] = act(bias[c] + Σ x[n, iy, ix, c] · w[ky, kx, c]); channels ci == co.
void DirectDepthwise(const DirectConvShape& s, const float* x, const float* w, const float* bias, float* y);
// The block width (16 or 8 channels) DirectDepthwiseBlocked runs a 3×3 depthwise layer with at the
// current instruction set, or 0 where DirectDepthwise is as fast or faster (direct.cc says where).
int64_t DirectBlockLanes(const DirectConvShape& s);
// Whether DirectDepthwiseBlocked runs a 3×3 depthwise layer faster than oneDNN's depthwise
// kernel does on one thread, at any size (direct.cc says where that was measured).
bool DirectBlockedBeatsPrimitive(const DirectConvShape& s);
// DirectDepthwise for a layer with DirectBlockLanes(s) = lanes > 0 (given at any instruction set
// later selected): copies x into xb [n, ci / lanes, h + 2·pad, w + 2·pad, lanes], whose border
// the caller keeps zero (n · (h + 2·pad) · (w + 2·pad) · ci floats), and runs on that copy.
void DirectDepthwiseBlocked(const DirectConvShape& s, int64_t lanes, const float* x, float* xb, const float* w, const float* bias,
                            float* y);
// y[n, oh, ow, o] = act(bias[o] + Σ x[n, iy, ix, c] · w[ky, kx, c, o]), for few input channels.
void DirectSmallConv(const DirectConvShape& s, const float* x, const float* w, const float* bias, float* y);
// 1×1, stride 1: y[p, o] = act(bias[o] + Σ_c x[p, c] · w[c, o] (+ y[p, o] with `sum`)), p < pixels.
void DirectPointwise(int64_t pixels, int64_t ci, int64_t co, int act, bool sum, const float* x, const float* w, const float* bias,
                     float* y);
// Whether a small stride-1 depthwise or few-input-channel convolution runs faster on a copy of its
// input with the zero border written out (measured, 16×16 × 8 channels: 1.4 → 1.0 µs with the
// copy): at ≤ 16×16 outputs, the border pixels (a quarter of a 16×16 image) each take a one-pixel
// tile with run-time tap ranges. Larger images and stride 2 gain nothing or lose.
bool DirectPadded(const DirectConvShape& s);
// Copies x [n, h, w, ci] into the interior of xp [n, h + 2·pad, w + 2·pad, ci], whose border is zero.
void DirectPadInterior(const DirectConvShape& s, const float* x, float* xp);
// y[n, c] = mean of x[n, p, c] over p < hw.
void DirectGlobalAvg(int64_t n, int64_t hw, int64_t c, const float* x, float* y);
// y[n, co] = act(bias + x[n, ci] · w[ci, co]).
void DirectDense(int64_t n, int64_t ci, int64_t co, int act, const float* x, const float* w, const float* bias, float* y);

// The instruction set the kernels below run with: "x86-64-v4" (AVX-512), "x86-64-v3" (AVX2 + FMA),
// or "none" (an x86 CPU below x86-64-v3, or not x86): plans then use oneDNN only. Detected when
// the addon loads.
const char* DirectIsa();
bool DirectAvailable();
// Selects "best" (the detected level, "none" where there is none) or a named level at or below it
// (tests run both x86 levels on an AVX-512 machine); false for anything else.
bool SetDirectIsa(const std::string& isa);

// Which layers a plan runs with these kernels (the rest are oneDNN primitives; plan.cc ChooseImpl).
// Measured against oneDNN on one thread: up to ~64K MACs the direct 1×1 kernel is 1.3–2.3× faster
// and the depthwise one 1.5–2.2×; on larger layers with many channels oneDNN's blocked kernels
// pay off.
constexpr int64_t kDirectMaxMacs = 1 << 16;
constexpr int64_t kDirectMaxStemChannels = 4;    // input channels of a DirectSmallConv
constexpr int64_t kDirectMaxStemOutputs = 64;    // its output channels
constexpr int64_t kDirectMaxDenseMacs = 1 << 16;  // a larger classifier streams its weights: oneDNN, threaded
