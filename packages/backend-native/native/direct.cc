#include "direct.h"

#include <algorithm>
#include <cstring>

#include "onednn-common.h"

// These loops may fuse a multiply and an add into one FMA. The addon's other kernels are built
// with -ffp-contract=off to round as tfjs's cpu backend does; a plan only has to match the
// adaptive forward within float rounding, and the oneDNN primitives beside these use FMA too.
#pragma GCC optimize("fp-contract=fast")

#define ADAPTNET_INLINE __attribute__((always_inline)) inline

namespace {

// Eight channels, one AVX register; the channel counts these kernels see are multiples of 8 but
// for a scalar tail. Fixed-size vectors rather than loops over channels: at 8–64 channels a
// vectorised loop's set-up and remainder handling cost more than its body.
typedef float V8 __attribute__((vector_size(32)));
typedef float V8u __attribute__((vector_size(32), aligned(4)));  // the same at any float address
constexpr int64_t kV = 8;
// Sixteen channels, one AVX-512 register (two AVX ones): the 1×1 convolutions' output tiles.
typedef float V16 __attribute__((vector_size(64)));
typedef float V16u __attribute__((vector_size(64), aligned(4)));
// Interior output pixels per register tile.
constexpr int kTile = 4;

template <typename V>
ADAPTNET_INLINE V LoadV(const float* p) {
  if constexpr (sizeof(V) == 64) {
    return *reinterpret_cast<const V16u*>(p);
  } else {
    return *reinterpret_cast<const V8u*>(p);
  }
}
template <typename V>
ADAPTNET_INLINE void StoreV(float* p, V v) {
  if constexpr (sizeof(V) == 64) {
    *reinterpret_cast<V16u*>(p) = v;
  } else {
    *reinterpret_cast<V8u*>(p) = v;
  }
}

template <typename V>
ADAPTNET_INLINE V Activate(V v, int act) {
  if (act == kLinear) return v;
  const V zero = V{} + 0.f;
  v = v > zero ? v : zero;
  if (act == kRelu6) {
    const V six = V{} + 6.f;
    v = v < six ? v : six;
  }
  return v;
}
ADAPTNET_INLINE float Activate(float v, int act) {
  if (act == kRelu) return std::max(v, 0.f);
  if (act == kRelu6) return std::min(std::max(v, 0.f), 6.f);
  return v;
}

// The taps of output column ox that fall inside the image: kx in [lo, hi).
struct Taps {
  int64_t lo, hi;
};
ADAPTNET_INLINE Taps ColumnTaps(const DirectConvShape& s, int64_t ox) {
  const int64_t x0 = ox * s.stride - s.pad;
  return {std::max<int64_t>(0, -x0), std::min<int64_t>(s.k, s.w - x0)};
}

// Output columns [first, end) whose taps all fall inside the image (no padding read).
struct Interior {
  int64_t first, end;
};
ADAPTNET_INLINE Interior InteriorColumns(const DirectConvShape& s) {
  const int64_t first = std::min(s.ow, (s.pad + s.stride - 1) / s.stride);
  const int64_t last = s.w + s.pad - s.k < 0 ? -1 : (s.w + s.pad - s.k) / s.stride;
  return {first, std::max(first, std::min(s.ow, last + 1))};
}

// A register tile of one output row: P pixels from `ox` (input columns `stride` apart) × Q vectors
// of channels from `o`, over the taps ky in [ky0, ky1), kx in [kx0, kx1) (all P pixels share the
// range: interior pixels, or one border pixel). P × Q independent accumulators keep both FMA
// units busy; K > 0 is the kernel size known at compile time (the loops unroll), 0 at run time.
template <int kCi, int P, int Q, int K, int S>
ADAPTNET_INLINE void Tile(const DirectConvShape& s, const float* xr, const float* w, const float* bias, float* yr, int64_t oy,
                          int64_t ky0, int64_t ky1, int64_t ox, int64_t kx0, int64_t kx1, int64_t o) {
  // A tile of fewer than 4 accumulators splits its sum over the kernel rows (R partial sums),
  // so that no chain of dependent FMAs is longer than one row of taps.
  constexpr int R = P * Q >= 4 ? 1 : 3;
  constexpr bool kDepthwise = kCi < 0;
  const int64_t k = K > 0 ? K : s.k;
  const int64_t cin = kCi > 0 ? kCi : s.ci;
  const int64_t stride = S > 0 ? S : s.stride;
  const int64_t ci = s.ci, co = s.co, row = s.w * ci, iy0 = oy * stride - s.pad, ix0 = ox * stride - s.pad;
  V8 acc[R][P][Q];
  for (int q = 0; q < Q; q++) {
    const V8 b = LoadV<V8>(bias + o + kV * q);
    for (int p = 0; p < P; p++) {
      acc[0][p][q] = b;
      for (int r = 1; r < R; r++) acc[r][p][q] = V8{};
    }
  }
  for (int64_t ky = ky0; ky < ky1; ky++) {
    V8(&a)[P][Q] = acc[R == 1 ? 0 : ky % R];
    // Input row iy0 + ky; column ix0 + p·stride + kx ≥ 0 for the taps in [kx0, kx1).
    const float* xk = xr + (iy0 + ky) * row;
    for (int64_t kx = kx0; kx < kx1; kx++) {
      if (kDepthwise) {
        const float* wt = w + (ky * k + kx) * ci + o;
        for (int q = 0; q < Q; q++) {
          const V8 wv = LoadV<V8>(wt + kV * q);
          for (int p = 0; p < P; p++) a[p][q] += LoadV<V8>(xk + (ix0 + p * stride + kx) * ci + o + kV * q) * wv;
        }
      } else {
        for (int64_t c = 0; c < cin; c++) {
          const float* wt = w + ((ky * k + kx) * ci + c) * co + o;
          for (int q = 0; q < Q; q++) {
            const V8 wv = LoadV<V8>(wt + kV * q);
            for (int p = 0; p < P; p++) a[p][q] += xk[(ix0 + p * stride + kx) * ci + c] * wv;
          }
        }
      }
    }
  }
  for (int p = 0; p < P; p++)
    for (int q = 0; q < Q; q++) {
      V8 v = acc[0][p][q];
      for (int r = 1; r < R; r++) v += acc[r][p][q];
      StoreV<V8>(yr + (ox + p) * co + o + kV * q, Activate(v, s.act));
    }
}

// Every whole channel vector of P pixels from `ox`: Q = kBlocks vectors at a time, then the rest.
template <int kCi, int P, int K, int S, int kBlocks>
ADAPTNET_INLINE void Tiles(const DirectConvShape& s, const float* xr, const float* w, const float* bias, float* yr, int64_t oy,
                           int64_t ky0, int64_t ky1, int64_t ox, int64_t kx0, int64_t kx1, int64_t whole) {
  int64_t o = 0;
  for (; o + kBlocks * kV <= whole; o += kBlocks * kV) Tile<kCi, P, kBlocks, K, S>(s, xr, w, bias, yr, oy, ky0, ky1, ox, kx0, kx1, o);
  // The rest, fewer than kBlocks vectors (only the counts that can occur are instantiated).
  const int64_t rest = (whole - o) / kV;
  if constexpr (kBlocks > 3) {
    if (rest == 3) return Tile<kCi, P, 3, K, S>(s, xr, w, bias, yr, oy, ky0, ky1, ox, kx0, kx1, o);
  }
  if constexpr (kBlocks > 2) {
    if (rest == 2) return Tile<kCi, P, 2, K, S>(s, xr, w, bias, yr, oy, ky0, ky1, ox, kx0, kx1, o);
  }
  if constexpr (kBlocks > 1) {
    if (rest == 1) Tile<kCi, P, 1, K, S>(s, xr, w, bias, yr, oy, ky0, ky1, ox, kx0, kx1, o);
  }
}

// One output row, whole channel vectors. Interior pixels in tiles of 4 pixels × 2 vectors (8 × 1
// when the layer has one vector of channels), then 2 × 2; border pixels one at a time × 4 vectors.
template <int kCi, int K, int S>
ADAPTNET_INLINE void Row(const DirectConvShape& s, const float* xr, const float* w, const float* bias, float* yr, int64_t oy,
                         int64_t ky0, int64_t ky1, Interior in, int64_t whole) {
  // No lambdas here: a lambda is a function of its own, compiled for the baseline ISA, not
  // inlined into the caller's ISA clone.
  const int64_t k = K > 0 ? K : s.k;
  for (int64_t ox = 0; ox < s.ow;) {
    if (whole == kV && ox >= in.first && ox + 2 * kTile <= in.end) {
      // One vector of channels (a stem's 8 outputs, an 8-channel depthwise layer): twice the pixels.
      Tile<kCi, 2 * kTile, 1, K, S>(s, xr, w, bias, yr, oy, ky0, ky1, ox, 0, k, 0);
      ox += 2 * kTile;
    } else if (ox >= in.first && ox + kTile <= in.end) {
      Tiles<kCi, kTile, K, S, 2>(s, xr, w, bias, yr, oy, ky0, ky1, ox, 0, k, whole);
      ox += kTile;
    } else if (ox >= in.first && ox + 2 <= in.end) {
      Tiles<kCi, 2, K, S, 2>(s, xr, w, bias, yr, oy, ky0, ky1, ox, 0, k, whole);
      ox += 2;
    } else {
      const Taps t = ColumnTaps(s, ox);
      Tiles<kCi, 1, K, S, 4>(s, xr, w, bias, yr, oy, ky0, ky1, ox, t.lo, t.hi, whole);
      ox++;
    }
  }
}

// Output channel `o` of pixel (oy, ox), one at a time: the channels past the last whole vector.
ADAPTNET_INLINE float ScalarOutput(const DirectConvShape& s, bool depthwise, const float* xr, const float* w, const float* bias,
                                   int64_t oy, int64_t ox, int64_t ky0, int64_t ky1, int64_t o) {
  const Taps t = ColumnTaps(s, ox);
  const int64_t iy0 = oy * s.stride - s.pad, ix0 = ox * s.stride - s.pad;
  float acc = bias[o];
  for (int64_t ky = ky0; ky < ky1; ky++)
    for (int64_t kx = t.lo; kx < t.hi; kx++) {
      const float* xp = xr + ((iy0 + ky) * s.w + ix0 + kx) * s.ci;
      if (depthwise) {
        acc += xp[o] * w[(ky * s.k + kx) * s.ci + o];
      } else {
        for (int64_t c = 0; c < s.ci; c++) acc += xp[c] * w[((ky * s.k + kx) * s.ci + c) * s.co + o];
      }
    }
  return Activate(acc, s.act);
}

template <int kCi>
ADAPTNET_INLINE void Conv(const DirectConvShape& s, const float* x, const float* w, const float* bias, float* y) {
  const Interior in = InteriorColumns(s);
  const int64_t whole = s.co / kV * kV;
  for (int64_t b = 0; b < s.n; b++) {
    const float* xr = x + b * s.h * s.w * s.ci;
    for (int64_t oy = 0; oy < s.oh; oy++) {
      const int64_t iy0 = oy * s.stride - s.pad;
      const int64_t ky0 = std::max<int64_t>(0, -iy0), ky1 = std::min<int64_t>(s.k, s.h - iy0);
      float* yr = y + (b * s.oh + oy) * s.ow * s.co;
      // The common shapes as constants, so that the tile's address arithmetic folds.
      if (s.k == 3 && s.stride == 1) {
        Row<kCi, 3, 1>(s, xr, w, bias, yr, oy, ky0, ky1, in, whole);
      } else if (s.k == 3 && s.stride == 2) {
        Row<kCi, 3, 2>(s, xr, w, bias, yr, oy, ky0, ky1, in, whole);
      } else {
        Row<kCi, 0, 0>(s, xr, w, bias, yr, oy, ky0, ky1, in, whole);
      }
      for (int64_t o = whole; o < s.co; o++)
        for (int64_t ox = 0; ox < s.ow; ox++) yr[ox * s.co + o] = ScalarOutput(s, kCi < 0, xr, w, bias, oy, ox, ky0, ky1, o);
    }
  }
}

// 1×1 convolution, a tile of P pixels × Q vectors (of type V, L floats) of output channels from
// `o`: y = act(bias + x · w (+ y)). A GEMM micro-kernel: each input value is broadcast once per
// tile and each weight vector loaded once per tile.
template <int P, int Q, typename V>
ADAPTNET_INLINE void PointwiseTile(const float* x, int64_t ci, const float* w, int64_t co, const float* bias, float* y, int64_t o,
                                   int act, bool sum) {
  constexpr int64_t L = sizeof(V) / sizeof(float);
  V acc[P][Q];
  for (int q = 0; q < Q; q++) {
    const V b = LoadV<V>(bias + o + L * q);
    for (int p = 0; p < P; p++) acc[p][q] = b;
  }
  for (int64_t c = 0; c < ci; c++) {
    V wv[Q];
    for (int q = 0; q < Q; q++) wv[q] = LoadV<V>(w + c * co + o + L * q);
    for (int p = 0; p < P; p++) {
      const float xv = x[p * ci + c];
      for (int q = 0; q < Q; q++) acc[p][q] += xv * wv[q];
    }
  }
  for (int p = 0; p < P; p++)
    for (int q = 0; q < Q; q++) {
      float* yp = y + p * co + o + L * q;
      StoreV<V>(yp, Activate(sum ? acc[p][q] + LoadV<V>(yp) : acc[p][q], act));
    }
}

// P pixels, every output channel. Wide (AVX-512): 32 at a time, then 16, 8 and one by one.
// Narrow (AVX2): 16 at a time as two 8-float vectors, then 8 and one by one. A 16-float vector in
// code built for AVX2 is not two AVX registers: GCC lowers it element by element (measured: the
// main job's 1×1 layers 50–90× slower).
template <int P, bool kWide>
ADAPTNET_INLINE void PointwisePixels(const float* x, int64_t ci, const float* w, int64_t co, const float* bias, float* y, int act,
                                     bool sum) {
  int64_t o = 0;
  if constexpr (kWide) {
    for (; o + 32 <= co; o += 32) PointwiseTile<P, 2, V16>(x, ci, w, co, bias, y, o, act, sum);
    if (o + 16 <= co) {
      PointwiseTile<P, 1, V16>(x, ci, w, co, bias, y, o, act, sum);
      o += 16;
    }
  } else {
    for (; o + 16 <= co; o += 16) PointwiseTile<P, 2, V8>(x, ci, w, co, bias, y, o, act, sum);
  }
  if (o + 8 <= co) {
    PointwiseTile<P, 1, V8>(x, ci, w, co, bias, y, o, act, sum);
    o += 8;
  }
  for (; o < co; o++)
    for (int p = 0; p < P; p++) {
      float acc = bias[o];
      for (int64_t c = 0; c < ci; c++) acc += x[p * ci + c] * w[c * co + o];
      float* yp = y + p * co + o;
      *yp = Activate(sum ? acc + *yp : acc, act);
    }
}

ADAPTNET_INLINE void SmallConv(const DirectConvShape& s, const float* x, const float* w, const float* bias, float* y) {
  // One input channel (a greyscale stem) as a constant: its loop of one iteration per tap goes.
  if (s.ci == 1) {
    Conv<1>(s, x, w, bias, y);
  } else {
    Conv<0>(s, x, w, bias, y);
  }
}

ADAPTNET_INLINE void GlobalAvg(int64_t n, int64_t hw, int64_t c, const float* x, float* y) {
  const float scale = 1.f / static_cast<float>(hw);
  const int64_t whole = c / kV * kV;
  for (int64_t b = 0; b < n; b++) {
    const float* xb = x + b * hw * c;
    for (int64_t i = 0; i < whole; i += kV) {
      V8 acc = V8{};
      for (int64_t p = 0; p < hw; p++) acc += LoadV<V8>(xb + p * c + i);
      StoreV<V8>(y + b * c + i, acc * scale);
    }
    for (int64_t i = whole; i < c; i++) {
      float acc = 0.f;
      for (int64_t p = 0; p < hw; p++) acc += xb[p * c + i];
      y[b * c + i] = acc * scale;
    }
  }
}

ADAPTNET_INLINE void Dense(int64_t n, int64_t ci, int64_t co, int act, const float* x, const float* w, const float* bias, float* y) {
  const int64_t whole = co / kV * kV;
  for (int64_t b = 0; b < n; b++) {
    const float* xb = x + b * ci;
    float* yb = y + b * co;
    for (int64_t o = 0; o < whole; o += kV) {
      // Two accumulators over alternate inputs: the chain of FMAs is half as long.
      V8 acc0 = LoadV<V8>(bias + o), acc1 = V8{};
      int64_t c = 0;
      for (; c + 1 < ci; c += 2) {
        acc0 += xb[c] * LoadV<V8>(w + c * co + o);
        acc1 += xb[c + 1] * LoadV<V8>(w + (c + 1) * co + o);
      }
      if (c < ci) acc0 += xb[c] * LoadV<V8>(w + c * co + o);
      StoreV<V8>(yb + o, Activate(acc0 + acc1, act));
    }
    for (int64_t o = whole; o < co; o++) {
      float acc = bias[o];
      for (int64_t c = 0; c < ci; c++) acc += xb[c] * w[c * co + o];
      yb[o] = Activate(acc, act);
    }
  }
}

template <bool kWide>
ADAPTNET_INLINE void Pointwise(int64_t pixels, int64_t ci, int64_t co, int act, bool sum, const float* x, const float* w,
                               const float* bias, float* y) {
  int64_t p = 0;
  for (; p + 4 <= pixels; p += 4) PointwisePixels<4, kWide>(x + p * ci, ci, w, co, bias, y + p * co, act, sum);
  switch (pixels - p) {
    case 3:
      PointwisePixels<3, kWide>(x + p * ci, ci, w, co, bias, y + p * co, act, sum);
      break;
    case 2:
      PointwisePixels<2, kWide>(x + p * ci, ci, w, co, bias, y + p * co, act, sum);
      break;
    case 1:
      PointwisePixels<1, kWide>(x + p * ci, ci, w, co, bias, y + p * co, act, sum);
      break;
    default:
      break;
  }
}

// Depthwise 3×3 on a channel-blocked, zero-bordered copy of its input, xb [n, ci / LB, h + 2·pad,
// w + 2·pad, LB] (DirectDepthwiseBlocked). In that layout a row of one channel block is contiguous,
// so the T + 2 input vectors a tile of T output pixels reads are at constant offsets: the
// channels-last kernel above addresses them at run-time multiples of ci, and spills those offsets
// (measured on the main job's 16–64-channel layers: 1.7–2.3× faster, block copy included).
// V: the vector; LB: the layout's block (a multiple of V's lanes: AVX2 runs 16-float blocks as two
// 8-float halves, so a plan built for AVX-512 still runs at a lower level).
// kPairs (V16 over 8-channel blocks, stride 1 read as 2): each vector holds two neighbouring
// pixels, stored to their two places.
template <typename V, int T, int S, bool kPairs = false>
ADAPTNET_INLINE void BlockedTile(const float* xr, int64_t prow, int64_t lb, const V (&wv)[9], V b, float* yr, int64_t co, int act) {
  constexpr int N = (T - 1) * S + 3;
  V acc[T];
  for (int t = 0; t < T; t++) acc[t] = b;
  for (int ky = 0; ky < 3; ky++) {
    const float* xk = xr + ky * prow;
    V xv[N];
    for (int j = 0; j < N; j++) xv[j] = LoadV<V>(xk + j * lb);
    for (int kx = 0; kx < 3; kx++)
      for (int t = 0; t < T; t++) acc[t] += xv[t * S + kx] * wv[ky * 3 + kx];
  }
  for (int t = 0; t < T; t++) {
    const V v = Activate(acc[t], act);
    if constexpr (kPairs) {
      StoreV<V8>(yr + 2 * t * co, __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7));
      StoreV<V8>(yr + (2 * t + 1) * co, __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15));
    } else {
      StoreV<V>(yr + t * co, v);
    }
  }
}

// x [n, h, w, ci] into the interior of xb [n, ci / LB, h + 2·pad, w + 2·pad, LB].
template <typename V, int LB>
ADAPTNET_INLINE void CopyBlocked(const DirectConvShape& s, const float* x, float* xb) {
  constexpr int64_t L = sizeof(V) / sizeof(float);
  const int64_t ci = s.ci, ph = s.h + 2 * s.pad, pw = s.w + 2 * s.pad, blocks = ci / LB;
  for (int64_t b = 0; b < s.n; b++)
    for (int64_t cb = 0; cb < blocks; cb++)
      for (int64_t iy = 0; iy < s.h; iy++) {
        const float* src = x + (b * s.h + iy) * s.w * ci + cb * LB;
        float* dst = xb + (((b * blocks + cb) * ph + iy + s.pad) * pw + s.pad) * LB;
        for (int64_t ix = 0; ix < s.w; ix++)
          for (int64_t l = 0; l < LB; l += L) StoreV<V>(dst + ix * LB + l, LoadV<V>(src + ix * ci + l));
      }
}

template <typename V, int LB, int S, int T>
ADAPTNET_INLINE void BlockedDepthwise(const DirectConvShape& s, const float* x, float* xb, const float* w, const float* bias, float* y) {
  constexpr int64_t L = sizeof(V) / sizeof(float);
  const int64_t ci = s.ci, ph = s.h + 2 * s.pad, prow = (s.w + 2 * s.pad) * LB, blocks = ci / LB;
  CopyBlocked<V, LB>(s, x, xb);
  for (int64_t b = 0; b < s.n; b++)
    for (int64_t cb = 0; cb < blocks; cb++)
      for (int64_t l = 0; l < LB; l += L) {
        const int64_t c = cb * LB + l;
        V wv[9];
        for (int i = 0; i < 9; i++) wv[i] = LoadV<V>(w + i * ci + c);
        const V bv = LoadV<V>(bias + c);
        const float* xc = xb + (b * blocks + cb) * ph * prow + l;
        for (int64_t oy = 0; oy < s.oh; oy++) {
          const float* xr = xc + oy * S * prow;
          float* yr = y + (b * s.oh + oy) * s.ow * ci + c;
          int64_t ox = 0;
          for (; ox + T <= s.ow; ox += T) BlockedTile<V, T, S>(xr + ox * S * LB, prow, LB, wv, bv, yr + ox * ci, ci, s.act);
          if constexpr (T > 4) {
            if (ox + 4 <= s.ow) {
              BlockedTile<V, 4, S>(xr + ox * S * LB, prow, LB, wv, bv, yr + ox * ci, ci, s.act);
              ox += 4;
            }
          }
          if constexpr (T > 2) {
            if (ox + 2 <= s.ow) {
              BlockedTile<V, 2, S>(xr + ox * S * LB, prow, LB, wv, bv, yr + ox * ci, ci, s.act);
              ox += 2;
            }
          }
          if (ox < s.ow) BlockedTile<V, 1, S>(xr + ox * S * LB, prow, LB, wv, bv, yr + ox * ci, ci, s.act);
        }
      }
}

// Stride 1 with 8-float blocks on AVX-512: a 16-float vector holds two neighbouring pixels of a
// block (the layout puts them side by side), so one FMA does two pixels' taps and a register tile
// of T vectors covers 2·T pixels: BlockedTile at stride 2 over half-vector steps (measured:
// 16×16×8 1.46 → 0.84 µs).
ADAPTNET_INLINE void PairedDepthwise(const DirectConvShape& s, const float* xb, const float* w, const float* bias, float* y) {
  const int64_t ci = s.ci, ph = s.h + 2 * s.pad, prow = (s.w + 2 * s.pad) * kV, blocks = ci / kV;
  for (int64_t b = 0; b < s.n; b++)
    for (int64_t cb = 0; cb < blocks; cb++) {
      const int64_t c = cb * kV;
      // Each tap's 8 weights twice (both pixels of a vector), and once for an odd last pixel.
      V8 w8[9];
      V16 wv[9];
      for (int i = 0; i < 9; i++) {
        w8[i] = LoadV<V8>(w + i * ci + c);
        wv[i] = __builtin_shufflevector(w8[i], w8[i], 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7);
      }
      const V8 bh = LoadV<V8>(bias + c);
      const V16 bv = __builtin_shufflevector(bh, bh, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7);
      const float* xc = xb + (b * blocks + cb) * ph * prow;
      for (int64_t oy = 0; oy < s.oh; oy++) {
        const float* xr = xc + oy * prow;
        float* yr = y + (b * s.oh + oy) * s.ow * ci + c;
        int64_t ox = 0;
        for (; ox + 8 <= s.ow; ox += 8) BlockedTile<V16, 4, 2, true>(xr + ox * kV, prow, kV, wv, bv, yr + ox * ci, ci, s.act);
        if (ox + 4 <= s.ow) {
          BlockedTile<V16, 2, 2, true>(xr + ox * kV, prow, kV, wv, bv, yr + ox * ci, ci, s.act);
          ox += 4;
        }
        if (ox + 2 <= s.ow) {
          BlockedTile<V16, 1, 2, true>(xr + ox * kV, prow, kV, wv, bv, yr + ox * ci, ci, s.act);
          ox += 2;
        }
        if (ox < s.ow) BlockedTile<V8, 1, 1>(xr + ox * kV, prow, kV, w8, bh, yr + ox * ci, ci, s.act);
      }
    }
}

// AVX-512 (kWide): 16-float blocks one vector at a time, 8 pixels per tile at stride 1 (8
// accumulators, 9 weights and 10 inputs in the 32 registers), 4 at stride 2. AVX2: 8-float
// vectors, tiles of 4 and 2 pixels; with 16 registers some of the 9 weights are read from memory
// (L1) in the loop. DirectBlockLanes never gives 8 lanes at stride 2; those branches serve a
// caller that does.
template <bool kWide>
ADAPTNET_INLINE void DepthwiseBlocked(const DirectConvShape& s, int64_t lanes, const float* x, float* xb, const float* w,
                                      const float* bias, float* y) {
  if constexpr (kWide) {
    if (lanes == 16) {
      return s.stride == 1 ? BlockedDepthwise<V16, 16, 1, 8>(s, x, xb, w, bias, y) : BlockedDepthwise<V16, 16, 2, 4>(s, x, xb, w, bias, y);
    }
    if (s.stride == 1) {
      CopyBlocked<V8, 8>(s, x, xb);
      return PairedDepthwise(s, xb, w, bias, y);
    }
    return BlockedDepthwise<V8, 8, 2, 4>(s, x, xb, w, bias, y);
  } else {
    if (lanes == 16) {
      return s.stride == 1 ? BlockedDepthwise<V8, 16, 1, 4>(s, x, xb, w, bias, y) : BlockedDepthwise<V8, 16, 2, 2>(s, x, xb, w, bias, y);
    }
    return s.stride == 1 ? BlockedDepthwise<V8, 8, 1, 4>(s, x, xb, w, bias, y) : BlockedDepthwise<V8, 8, 2, 2>(s, x, xb, w, bias, y);
  }
}

// The kernels of one instruction set, each function built for it (the addon itself is built for
// the baseline x86-64, which would run the vectors above as pairs of SSE instructions).
struct Kernels {
  const char* isa;
  bool wide;  // 16-float vectors are native (AVX-512)
  void (*depthwise)(const DirectConvShape&, const float*, const float*, const float*, float*);
  void (*depthwise_blocked)(const DirectConvShape&, int64_t, const float*, float*, const float*, const float*, float*);
  void (*small_conv)(const DirectConvShape&, const float*, const float*, const float*, float*);
  void (*pointwise)(int64_t, int64_t, int64_t, int, bool, const float*, const float*, const float*, float*);
  void (*global_avg)(int64_t, int64_t, int64_t, const float*, float*);
  void (*dense)(int64_t, int64_t, int64_t, int, const float*, const float*, const float*, float*);
};

#define ADAPTNET_KERNELS_FOR(NS, ISA, ATTR, WIDE)                                                                                   \
  namespace NS {                                                                                                                  \
  ATTR void Depthwise(const DirectConvShape& s, const float* x, const float* w, const float* b, float* y) {                     \
    Conv<-1>(s, x, w, b, y);                                                                                                      \
  }                                                                                                                               \
  ATTR void DepthwiseBlocked(const DirectConvShape& s, int64_t lanes, const float* x, float* xb, const float* w, const float* b, \
                             float* y) {                                                                                          \
    ::DepthwiseBlocked<WIDE>(s, lanes, x, xb, w, b, y);                                                                           \
  }                                                                                                                               \
  ATTR void SmallConv(const DirectConvShape& s, const float* x, const float* w, const float* b, float* y) {                     \
    ::SmallConv(s, x, w, b, y);                                                                                                   \
  }                                                                                                                               \
  ATTR void Pointwise(int64_t n, int64_t ci, int64_t co, int act, bool sum, const float* x, const float* w, const float* b,       \
                      float* y) {                                                                                                 \
    ::Pointwise<WIDE>(n, ci, co, act, sum, x, w, b, y);                                                                           \
  }                                                                                                                               \
  ATTR void GlobalAvg(int64_t n, int64_t hw, int64_t c, const float* x, float* y) { ::GlobalAvg(n, hw, c, x, y); }                \
  ATTR void Dense(int64_t n, int64_t ci, int64_t co, int act, const float* x, const float* w, const float* b, float* y) {         \
    ::Dense(n, ci, co, act, x, w, b, y);                                                                                          \
  }                                                                                                                               \
  constexpr Kernels kKernels{ISA, WIDE, Depthwise, DepthwiseBlocked, SmallConv, Pointwise, GlobalAvg, Dense};                   \
  }

}  // namespace

namespace {
#if defined(__x86_64__)
ADAPTNET_KERNELS_FOR(v4, "x86-64-v4", __attribute__((target("arch=x86-64-v4"))), true)
ADAPTNET_KERNELS_FOR(v3, "x86-64-v3", __attribute__((target("arch=x86-64-v3"))), false)

// The best level this CPU runs; null below x86-64-v3, where the vectors above would be split into
// SSE halves or worse (see PointwisePixels) and oneDNN, which picks its own kernels per CPU, is used.
const Kernels* Detect() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("x86-64-v4")) return &v4::kKernels;
  if (__builtin_cpu_supports("x86-64-v3")) return &v3::kKernels;
  return nullptr;
}
const Kernels* const kAll[] = {&v4::kKernels, &v3::kKernels};
#else
// Off x86 the kernels are not built, and plans use oneDNN only: their 8-float vectors are twice
// NEON's width, the case that made 16-float vectors 50–90× slower on AVX2, and no ARM machine was
// at hand to measure them.
const Kernels* Detect() { return nullptr; }
#endif

const Kernels* g_best = Detect();
const Kernels* g_kernels = g_best;

}  // namespace

const char* DirectIsa() { return g_kernels ? g_kernels->isa : "none"; }

bool DirectAvailable() { return g_kernels != nullptr; }

bool SetDirectIsa(const std::string& isa) {
  if (isa == "best") {
    g_kernels = g_best;
    return true;
  }
#if defined(__x86_64__)
  // Only a level at or below the detected one: the list runs from the highest level down.
  bool reached = false;
  for (const Kernels* k : kAll) {
    reached = reached || k == g_best;
    if (reached && isa == k->isa) {
      g_kernels = k;
      return true;
    }
  }
#endif
  return false;
}

bool DirectPadded(const DirectConvShape& s) { return s.pad > 0 && s.stride == 1 && s.oh * s.ow <= 256; }

void DirectPadInterior(const DirectConvShape& s, const float* x, float* xp) {
  const int64_t ph = s.h + 2 * s.pad, pw = s.w + 2 * s.pad, row = s.w * s.ci;
  for (int64_t b = 0; b < s.n; b++)
    for (int64_t y = 0; y < s.h; y++)
      std::memcpy(xp + ((b * ph + y + s.pad) * pw + s.pad) * s.ci, x + (b * s.h + y) * row, row * sizeof(float));
}

void DirectDepthwise(const DirectConvShape& s, const float* x, const float* w, const float* bias, float* y) {
  g_kernels->depthwise(s, x, w, bias, y);
}

int64_t DirectBlockLanes(const DirectConvShape& s) {
  if (g_kernels == nullptr || s.k != 3 || s.ci != s.co || (s.stride != 1 && s.stride != 2)) return 0;
  // Measured against Conv<-1> on both levels (x86-64-v4: 8×8×32 2.3×, 16×16×16/2 2.3×, 4×4×64 1.7×;
  // AVX2 at stride 1: 1.3×). The copy costs as much as the stride-2 kernel saves on large images
  // (64×64×48/2: 0.7×).
  if (g_kernels->wide) {
    if (s.ci % 16 == 0 && (s.stride == 1 || s.oh * s.ow <= 256)) return 16;
    return s.ci % 8 == 0 && s.stride == 1 ? 8 : 0;  // PairedDepthwise
  }
  return s.ci % 8 == 0 && s.stride == 1 ? 8 : 0;
}

// Measured on one thread against oneDNN's brdgmm depthwise kernel, AVX-512, stride 1, the two
// interleaved: batch 1, 32×32×32 0.81×, 32×32×48 0.85×, 16×16×96 0.81×, 8×8×128 0.79×,
// 4×4×256 0.77×; batch 8, 8×8×32 0.46×, 4×4×64 0.54×. In a plan the copy's memory traffic also
// evicts the neighbouring layers' data: with copies above 64K floats (256 KiB; MobileNetV2 at batch
// 8) the whole forward was no faster, so those stay with oneDNN. Stride 2 loses on large images
// (64×64×16: 1.4×), and the AVX2 kernel loses to oneDNN's AVX-512 one.
bool DirectBlockedBeatsPrimitive(const DirectConvShape& s) {
  constexpr int64_t kMaxCopyFloats = int64_t{1} << 16;
  return g_kernels != nullptr && g_kernels->wide && s.stride == 1 && DirectBlockLanes(s) == 16 &&
         s.n * (s.h + 2 * s.pad) * (s.w + 2 * s.pad) * s.ci <= kMaxCopyFloats;
}

void DirectDepthwiseBlocked(const DirectConvShape& s, int64_t lanes, const float* x, float* xb, const float* w, const float* bias,
                            float* y) {
  g_kernels->depthwise_blocked(s, lanes, x, xb, w, bias, y);
}

void DirectSmallConv(const DirectConvShape& s, const float* x, const float* w, const float* bias, float* y) {
  g_kernels->small_conv(s, x, w, bias, y);
}

void DirectPointwise(int64_t pixels, int64_t ci, int64_t co, int act, bool sum, const float* x, const float* w, const float* bias,
                     float* y) {
  g_kernels->pointwise(pixels, ci, co, act, sum, x, w, bias, y);
}

void DirectGlobalAvg(int64_t n, int64_t hw, int64_t c, const float* x, float* y) { g_kernels->global_avg(n, hw, c, x, y); }

void DirectDense(int64_t n, int64_t ci, int64_t co, int act, const float* x, const float* w, const float* bias, float* y) {
  g_kernels->dense(n, ci, co, act, x, w, bias, y);
}
