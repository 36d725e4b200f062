/*
 * Naive float64 forward passes, written from the ops' definitions (not from tfjs's kernels), used
 * as the independent reference for gradient checks by central finite differences.
 */
export type Pad2 = { top: number; bottom: number; left: number; right: number };

/** TF 'same'/'valid' padding for one axis. */
export function padAmounts(inSize: number, k: number, stride: number, mode: 'same' | 'valid'): [number, number, number] {
  if (mode === 'valid') return [0, 0, Math.floor((inSize - k) / stride) + 1];
  const out = Math.ceil(inSize / stride);
  const total = Math.max(0, (out - 1) * stride + k - inSize);
  return [Math.floor(total / 2), total - Math.floor(total / 2), out];
}

export interface Conv2dSpec {
  x: [number, number, number, number];
  w: [number, number, number, number];
  stride: [number, number];
  pad: 'same' | 'valid' | Pad2;
}

function pads2d(spec: { x: number[]; stride: [number, number] }, kh: number, kw: number, pad: 'same' | 'valid' | Pad2) {
  const [, h, w] = spec.x as [number, number, number];
  if (typeof pad === 'object') {
    return {
      top: pad.top,
      left: pad.left,
      oh: Math.floor((h + pad.top + pad.bottom - kh) / spec.stride[0]) + 1,
      ow: Math.floor((w + pad.left + pad.right - kw) / spec.stride[1]) + 1,
    };
  }
  const [top, , oh] = padAmounts(h, kh, spec.stride[0], pad);
  const [left, , ow] = padAmounts(w, kw, spec.stride[1], pad);
  return { top, left, oh, ow };
}

export function conv2dRef(spec: Conv2dSpec, x: Float64Array, w: Float64Array): Float64Array {
  const [b, h, wd, ci] = spec.x;
  const [kh, kw, , co] = spec.w;
  const { top, left, oh, ow } = pads2d(spec, kh, kw, spec.pad);
  const y = new Float64Array(b * oh * ow * co);
  for (let n = 0; n < b; n++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let o = 0; o < co; o++) {
          let acc = 0;
          for (let p = 0; p < kh; p++)
            for (let q = 0; q < kw; q++) {
              const hh = i * spec.stride[0] + p - top;
              const ww = j * spec.stride[1] + q - left;
              if (hh < 0 || hh >= h || ww < 0 || ww >= wd) continue;
              for (let c = 0; c < ci; c++) acc += x[((n * h + hh) * wd + ww) * ci + c]! * w[((p * kw + q) * ci + c) * co + o]!;
            }
          y[((n * oh + i) * ow + j) * co + o] = acc;
        }
  return y;
}

export function depthwiseRef(spec: Conv2dSpec, x: Float64Array, w: Float64Array): Float64Array {
  const [b, h, wd, ci] = spec.x;
  const [kh, kw, , m] = spec.w;
  const { top, left, oh, ow } = pads2d(spec, kh, kw, spec.pad);
  const y = new Float64Array(b * oh * ow * ci * m);
  for (let n = 0; n < b; n++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let c = 0; c < ci; c++)
          for (let q = 0; q < m; q++) {
            let acc = 0;
            for (let p = 0; p < kh; p++)
              for (let r = 0; r < kw; r++) {
                const hh = i * spec.stride[0] + p - top;
                const ww = j * spec.stride[1] + r - left;
                if (hh < 0 || hh >= h || ww < 0 || ww >= wd) continue;
                acc += x[((n * h + hh) * wd + ww) * ci + c]! * w[((p * kw + r) * ci + c) * m + q]!;
              }
            y[((n * oh + i) * ow + j) * ci * m + c * m + q] = acc;
          }
  return y;
}

export interface Conv3dSpec {
  x: [number, number, number, number, number];
  w: [number, number, number, number, number];
  stride: [number, number, number];
  pad: 'same' | 'valid';
}

export function conv3dRef(spec: Conv3dSpec, x: Float64Array, w: Float64Array): Float64Array {
  const [b, d, h, wd, ci] = spec.x;
  const [kd, kh, kw, , co] = spec.w;
  const [front, , od] = padAmounts(d, kd, spec.stride[0], spec.pad);
  const [top, , oh] = padAmounts(h, kh, spec.stride[1], spec.pad);
  const [left, , ow] = padAmounts(wd, kw, spec.stride[2], spec.pad);
  const y = new Float64Array(b * od * oh * ow * co);
  for (let n = 0; n < b; n++)
    for (let t = 0; t < od; t++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++)
          for (let o = 0; o < co; o++) {
            let acc = 0;
            for (let a = 0; a < kd; a++)
              for (let p = 0; p < kh; p++)
                for (let q = 0; q < kw; q++) {
                  const dd = t * spec.stride[0] + a - front;
                  const hh = i * spec.stride[1] + p - top;
                  const ww = j * spec.stride[2] + q - left;
                  if (dd < 0 || dd >= d || hh < 0 || hh >= h || ww < 0 || ww >= wd) continue;
                  for (let c = 0; c < ci; c++) {
                    acc += x[(((n * d + dd) * h + hh) * wd + ww) * ci + c]! * w[(((a * kh + p) * kw + q) * ci + c) * co + o]!;
                  }
                }
            y[(((n * od + t) * oh + i) * ow + j) * co + o] = acc;
          }
  return y;
}

export interface PoolSpec {
  x: number[]; // [b, (d,) h, w, c]
  k: number[];
  stride: number[];
  pad: 'same' | 'valid';
  kind: 'max' | 'avg';
}

/** 2D or 3D pooling; 'avg' divides by the number of in-bounds elements (TF semantics). */
export function poolRef(spec: PoolSpec, x: Float64Array): Float64Array {
  const spatial = spec.x.slice(1, -1);
  const b = spec.x[0]!;
  const c = spec.x[spec.x.length - 1]!;
  const geo = spatial.map((n, i) => padAmounts(n, spec.k[i]!, spec.stride[i]!, spec.pad));
  const outSpatial = geo.map((g) => g[2]);
  const outCount = outSpatial.reduce((a, v) => a * v, 1);
  const y = new Float64Array(b * outCount * c);
  const idx = (coords: number[], dims: number[]) => coords.reduce((a, v, i) => a * dims[i]! + v, 0);
  for (let n = 0; n < b; n++)
    for (let o = 0; o < outCount; o++) {
      const oc: number[] = [];
      let rem = o;
      for (let i = outSpatial.length - 1; i >= 0; i--) {
        oc[i] = rem % outSpatial[i]!;
        rem = Math.floor(rem / outSpatial[i]!);
      }
      const win = spec.k.reduce((a, v) => a * v, 1);
      for (let ch = 0; ch < c; ch++) {
        let best = -Infinity;
        let sum = 0;
        let cnt = 0;
        for (let t = 0; t < win; t++) {
          const kc: number[] = [];
          let r = t;
          for (let i = spec.k.length - 1; i >= 0; i--) {
            kc[i] = r % spec.k[i]!;
            r = Math.floor(r / spec.k[i]!);
          }
          const ic = oc.map((v, i) => v * spec.stride[i]! + kc[i]! - geo[i]![0]);
          if (ic.some((v, i) => v < 0 || v >= spatial[i]!)) continue;
          const val = x[(n * spatial.reduce((a, v) => a * v, 1) + idx(ic, spatial)) * c + ch]!;
          best = Math.max(best, val);
          sum += val;
          cnt++;
        }
        y[(n * outCount + o) * c + ch] = spec.kind === 'max' ? best : sum / cnt;
      }
    }
  return y;
}

export interface ResizeSpec {
  x: [number, number, number, number];
  size: [number, number];
  alignCorners: boolean;
  halfPixelCenters: boolean;
  kind: 'bilinear' | 'nearest';
}

/** TF resize semantics, from the TF documentation of align_corners / half_pixel_centers. */
export function resizeRef(spec: ResizeSpec, x: Float64Array): Float64Array {
  const [b, h, w, c] = spec.x;
  const [oh, ow] = spec.size;
  const scale = (inS: number, outS: number) => (spec.alignCorners && outS > 1 ? (inS - 1) / (outS - 1) : inS / outS);
  const sh = scale(h, oh);
  const sw = scale(w, ow);
  const y = new Float64Array(b * oh * ow * c);
  const at = (n: number, i: number, j: number, ch: number) => x[((n * h + i) * w + j) * c + ch]!;
  for (let n = 0; n < b; n++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let ch = 0; ch < c; ch++) {
          let v: number;
          if (spec.kind === 'nearest') {
            const src = (o: number, s: number, inS: number) => {
              const f = spec.halfPixelCenters ? (o + 0.5) * s : o * s;
              const k = spec.alignCorners ? Math.round(f) : Math.floor(f);
              return Math.max(0, Math.min(inS - 1, k));
            };
            v = at(n, src(i, sh, h), src(j, sw, w), ch);
          } else {
            const src = (o: number, s: number, inS: number): [number, number, number] => {
              const f = spec.halfPixelCenters ? (o + 0.5) * s - 0.5 : o * s;
              const lo = Math.max(0, Math.floor(f));
              return [lo, Math.min(inS - 1, Math.ceil(f)), f - lo];
            };
            const [t, bt, fy] = src(i, sh, h);
            const [l, r, fx] = src(j, sw, w);
            const top = at(n, t, l, ch) * (1 - fx) + at(n, t, r, ch) * fx;
            const bot = at(n, bt, l, ch) * (1 - fx) + at(n, bt, r, ch) * fx;
            v = top * (1 - fy) + bot * fy;
          }
          y[((n * oh + i) * ow + j) * c + ch] = v;
        }
  return y;
}

/**
 * Gradient of L(x) = Σ r ⊙ f(x) with respect to input `which`, by central differences in float64.
 */
export function finiteDifferenceGrad(
  f: (inputs: Float64Array[]) => Float64Array,
  inputs: Float64Array[],
  which: number,
  r: Float64Array,
  eps = 1e-4,
): Float64Array {
  const loss = (ins: Float64Array[]) => {
    const y = f(ins);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i]! * r[i]!;
    return s;
  };
  const x = Float64Array.from(inputs[which]!);
  const ins = inputs.map((v, i) => (i === which ? x : v));
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const orig = x[i]!;
    x[i] = orig + eps;
    const lp = loss(ins);
    x[i] = orig - eps;
    const lm = loss(ins);
    x[i] = orig;
    g[i] = (lp - lm) / (2 * eps);
  }
  return g;
}

/** Deterministic pseudo-random values in [-1, 1) for fixtures (independent of the code under test). */
export function fixture(n: number, seed: number): Float64Array {
  let s = seed >>> 0 || 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    // Quantise to a 1/1024 grid so float32 holds fixtures exactly.
    out[i] = (Math.floor((s / 4294967296) * 2048) - 1024) / 1024;
  }
  return out;
}

/** Distinct values (no ties), for max-pooling checks where ties make the derivative undefined. */
export function distinctFixture(n: number, seed: number, offset = 0): Float64Array {
  const order = Array.from(fixture(n, seed), (v, i) => [v, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out = new Float64Array(n);
  order.forEach(([, i], rank) => {
    out[i] = (rank - n / 2) / 64 + offset;
  });
  return out;
}

export interface DepthwiseConv3dSpec {
  x: [number, number, number, number, number];
  k: [number, number, number];
  stride: [number, number, number];
  pads: [[number, number], [number, number], [number, number]];
}

/** Channel-wise 3D convolution, filter [kd, kh, kw, c, 1], explicit zero padding. */
export function depthwiseConv3dRef(spec: DepthwiseConv3dSpec, x: Float64Array, w: Float64Array): Float64Array {
  const [b, d, h, wd, c] = spec.x;
  const [kd, kh, kw] = spec.k;
  const ins = [d, h, wd];
  const [od, oh, ow] = ins.map((n, i) => Math.floor((n + spec.pads[i]![0] + spec.pads[i]![1] - spec.k[i]!) / spec.stride[i]!) + 1) as [
    number,
    number,
    number,
  ];
  const y = new Float64Array(b * od * oh * ow * c);
  for (let n = 0; n < b; n++)
    for (let t = 0; t < od; t++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++)
          for (let ch = 0; ch < c; ch++) {
            let acc = 0;
            for (let a = 0; a < kd; a++)
              for (let p = 0; p < kh; p++)
                for (let q = 0; q < kw; q++) {
                  const dd = t * spec.stride[0] + a - spec.pads[0][0];
                  const hh = i * spec.stride[1] + p - spec.pads[1][0];
                  const ww = j * spec.stride[2] + q - spec.pads[2][0];
                  if (dd < 0 || dd >= d || hh < 0 || hh >= h || ww < 0 || ww >= wd) continue;
                  acc += x[(((n * d + dd) * h + hh) * wd + ww) * c + ch]! * w[((a * kh + p) * kw + q) * c + ch]!;
                }
            y[(((n * od + t) * oh + i) * ow + j) * c + ch] = acc;
          }
  return y;
}

/** Trilinear resize of [b, d, h, w, c] to [t, oh, ow], TF conventions per axis, from its 8 corners. */
export function trilinearRef(
  xShape: [number, number, number, number, number],
  size: [number, number, number],
  alignCorners: boolean,
  halfPixelCenters: boolean,
  x: Float64Array,
): Float64Array {
  const [b, d, h, w, c] = xShape;
  const src = (o: number, inS: number, outS: number): [number, number, number] => {
    const s = alignCorners && outS > 1 ? (inS - 1) / (outS - 1) : inS / outS;
    const f = halfPixelCenters ? (o + 0.5) * s - 0.5 : o * s;
    const lo = Math.max(0, Math.floor(f));
    return [lo, Math.min(inS - 1, Math.ceil(f)), f - lo];
  };
  const [t, oh, ow] = size;
  const y = new Float64Array(b * t * oh * ow * c);
  for (let n = 0; n < b; n++)
    for (let a = 0; a < t; a++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          const [z0, z1, fz] = src(a, d, t);
          const [y0, y1, fy] = src(i, h, oh);
          const [x0, x1, fx] = src(j, w, ow);
          for (let ch = 0; ch < c; ch++) {
            let v = 0;
            for (const [zz, wz] of [
              [z0, 1 - fz],
              [z1, fz],
            ] as const)
              for (const [yy, wy] of [
                [y0, 1 - fy],
                [y1, fy],
              ] as const)
                for (const [xx, wx] of [
                  [x0, 1 - fx],
                  [x1, fx],
                ] as const)
                  v += wz * wy * wx * x[(((n * d + zz) * h + yy) * w + xx) * c + ch]!;
            y[(((n * t + a) * oh + i) * ow + j) * c + ch] = v;
          }
        }
  return y;
}
