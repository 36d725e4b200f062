import * as tf from '@tensorflow/tfjs-core';
import { conv3dPadded } from '../../src/ops/conv3d-padded.js';
import { depthwiseConv3d } from '../../src/ops/depthwise-conv3d.js';
import { resizeTrilinear } from '../../src/ops/resize3d.js';
import type { GradCase } from '../helpers/grad-check.js';
import {
  type Conv2dSpec,
  type Conv3dSpec,
  conv2dRef,
  conv3dRef,
  type DepthwiseConv3dSpec,
  depthwiseConv3dRef,
  depthwiseRef,
  distinctFixture,
  fixture,
  type PoolSpec,
  padAmounts,
  poolRef,
  type ResizeSpec,
  resizeRef,
  trilinearRef,
} from '../helpers/reference.js';

const outHW = (s: Conv2dSpec): [number, number] => {
  if (typeof s.pad === 'object') {
    const p = s.pad;
    return [
      Math.floor((s.x[1] + p.top + p.bottom - s.w[0]) / s.stride[0]) + 1,
      Math.floor((s.x[2] + p.left + p.right - s.w[1]) / s.stride[1]) + 1,
    ];
  }
  return [padAmounts(s.x[1], s.w[0], s.stride[0], s.pad)[2], padAmounts(s.x[2], s.w[1], s.stride[1], s.pad)[2]];
};

const tfPad = (p: Conv2dSpec['pad']): 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]] =>
  typeof p === 'object'
    ? [
        [0, 0],
        [p.top, p.bottom],
        [p.left, p.right],
        [0, 0],
      ]
    : p;

const padName = (p: Conv2dSpec['pad']) => (typeof p === 'object' ? `explicit(${p.top},${p.bottom},${p.left},${p.right})` : p);

const CONV_SPECS: Conv2dSpec[] = [
  { x: [2, 7, 6, 3], w: [3, 3, 3, 4], stride: [1, 1], pad: 'same' },
  { x: [2, 7, 6, 3], w: [3, 3, 3, 4], stride: [2, 2], pad: 'same' },
  { x: [2, 8, 5, 2], w: [3, 2, 2, 3], stride: [2, 1], pad: 'valid' },
  { x: [3, 6, 7, 4], w: [1, 1, 4, 5], stride: [1, 1], pad: 'valid' },
  { x: [2, 9, 9, 2], w: [1, 1, 2, 3], stride: [2, 2], pad: 'same' },
  { x: [2, 6, 7, 2], w: [3, 3, 2, 3], stride: [2, 2], pad: { top: 1, bottom: 0, left: 2, right: 1 } },
  { x: [1, 10, 9, 2], w: [5, 5, 2, 2], stride: [3, 2], pad: 'same' },
];

export const conv2dCases: GradCase[] = CONV_SPECS.map((s) => ({
  name: `conv2d x=${s.x} w=${s.w} stride=${s.stride} pad=${padName(s.pad)}`,
  shapes: [s.x, s.w],
  outShape: [s.x[0], ...outHW(s), s.w[3]],
  tfFn: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, s.stride, tfPad(s.pad)),
  refFn: ([x, w]) => conv2dRef(s, x!, w!),
}));

const DW_SPECS: Conv2dSpec[] = [
  { x: [2, 7, 6, 3], w: [3, 3, 3, 1], stride: [1, 1], pad: 'same' },
  { x: [2, 7, 6, 3], w: [3, 3, 3, 1], stride: [2, 2], pad: 'same' },
  { x: [2, 8, 7, 2], w: [3, 3, 2, 1], stride: [2, 2], pad: 'valid' },
  { x: [2, 6, 5, 2], w: [3, 3, 2, 2], stride: [1, 1], pad: 'same' },
  { x: [2, 7, 8, 3], w: [5, 3, 3, 2], stride: [2, 1], pad: 'valid' },
  { x: [1, 6, 6, 2], w: [3, 3, 2, 1], stride: [2, 2], pad: { top: 0, bottom: 1, left: 1, right: 1 } },
];

export const depthwiseCases: GradCase[] = DW_SPECS.map((s) => ({
  name: `depthwise x=${s.x} w=${s.w} stride=${s.stride} pad=${padName(s.pad)}`,
  shapes: [s.x, s.w],
  outShape: [s.x[0], ...outHW(s), s.x[3] * s.w[3]],
  tfFn: (x, w) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, s.stride, tfPad(s.pad)),
  refFn: ([x, w]) => depthwiseRef(s, x!, w!),
}));

const C3_SPECS: Conv3dSpec[] = [
  { x: [2, 4, 5, 4, 2], w: [3, 3, 3, 2, 3], stride: [1, 1, 1], pad: 'same' },
  { x: [2, 5, 6, 5, 2], w: [3, 3, 3, 2, 2], stride: [2, 2, 2], pad: 'same' },
  { x: [1, 4, 6, 5, 3], w: [1, 3, 3, 3, 2], stride: [1, 2, 1], pad: 'valid' },
  { x: [2, 3, 4, 4, 2], w: [3, 1, 1, 2, 3], stride: [1, 1, 1], pad: 'same' },
  // A Slow stem / res3 conv: spatial stride 2 on an even size, TF 'same' pads (0, 1).
  { x: [2, 3, 6, 6, 2], w: [1, 3, 3, 2, 3], stride: [1, 2, 2], pad: 'same' },
];

export const conv3dCases: GradCase[] = C3_SPECS.map((s) => ({
  name: `conv3d x=${s.x} w=${s.w} stride=${s.stride} pad=${s.pad}`,
  shapes: [s.x, s.w],
  outShape: [s.x[0], ...s.x.slice(1, 4).map((n, i) => padAmounts(n, s.w[i]!, s.stride[i]!, s.pad)[2]), s.w[4]],
  tfFn: (x, w) => tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, s.stride, s.pad),
  refFn: ([x, w]) => conv3dRef(s, x!, w!),
}));

const POOL_SPECS: (PoolSpec & { negative?: boolean })[] = [
  { x: [2, 6, 7, 3], k: [2, 2], stride: [2, 2], pad: 'valid', kind: 'max' },
  { x: [2, 7, 6, 3], k: [3, 3], stride: [2, 2], pad: 'same', kind: 'max' },
  { x: [2, 7, 6, 3], k: [3, 3], stride: [2, 2], pad: 'same', kind: 'max', negative: true },
  { x: [2, 6, 6, 2], k: [3, 3], stride: [1, 1], pad: 'same', kind: 'avg' },
  { x: [2, 7, 6, 2], k: [2, 2], stride: [2, 2], pad: 'valid', kind: 'avg' },
  { x: [1, 4, 5, 4, 2], k: [2, 2, 2], stride: [2, 2, 2], pad: 'same', kind: 'max' },
  { x: [1, 4, 5, 4, 2], k: [3, 3, 3], stride: [1, 2, 2], pad: 'same', kind: 'avg' },
  { x: [2, 5, 6, 4, 2], k: [3, 3, 3], stride: [2, 2, 2], pad: 'same', kind: 'avg' },
  { x: [1, 4, 6, 5, 3], k: [2, 3, 2], stride: [2, 1, 2], pad: 'valid', kind: 'avg' },
];

const poolCase = (s: PoolSpec & { negative?: boolean }): GradCase => {
  const n = s.x.reduce((a, b) => a * b, 1);
  const spatial = s.x.slice(1, -1);
  const out = [s.x[0]!, ...spatial.map((v, i) => padAmounts(v, s.k[i]!, s.stride[i]!, s.pad)[2]), s.x[s.x.length - 1]!];
  const is3d = spatial.length === 3;
  return {
    name: `${s.kind}Pool${is3d ? '3d' : ''} x=${s.x} k=${s.k} stride=${s.stride} pad=${s.pad}${s.negative ? ' all-negative' : ''}`,
    shapes: [s.x],
    // Distinct values: ties make a max-pool derivative undefined.
    inputs: [s.kind === 'max' ? distinctFixture(n, 5, s.negative ? -n : 0) : fixture(n, 5)],
    outShape: out,
    tfFn: (x) => {
      if (is3d) {
        const f = s.kind === 'max' ? tf.maxPool3d : tf.avgPool3d;
        return f(x as tf.Tensor5D, s.k as [number, number, number], s.stride as [number, number, number], s.pad);
      }
      const f = s.kind === 'max' ? tf.maxPool : tf.avgPool;
      return f(x as tf.Tensor4D, s.k as [number, number], s.stride as [number, number], s.pad);
    },
    refFn: ([x]) => poolRef(s, x!),
  };
};

export const poolCases: GradCase[] = POOL_SPECS.map(poolCase);

/** The Slow stem's pool (1×3×3, stride 1,2,2, 'same' on an even size): tfjs wasm's MaxPool3D is wrong on it. */
export const slowStemPoolCase: GradCase = poolCase({ x: [2, 3, 6, 6, 2], k: [1, 3, 3], stride: [1, 2, 2], pad: 'same', kind: 'max' });

const DW3_SPECS: DepthwiseConv3dSpec[] = [
  {
    x: [2, 4, 5, 4, 3],
    k: [3, 3, 3],
    stride: [1, 1, 1],
    pads: [
      [1, 1],
      [1, 1],
      [1, 1],
    ],
  },
  {
    x: [2, 5, 6, 6, 2],
    k: [3, 3, 3],
    stride: [1, 2, 2],
    pads: [
      [1, 1],
      [0, 1],
      [1, 1],
    ],
  },
  {
    x: [1, 6, 4, 5, 3],
    k: [5, 1, 1],
    stride: [2, 1, 1],
    pads: [
      [2, 1],
      [0, 0],
      [0, 0],
    ],
  },
];

export const depthwiseConv3dCases: GradCase[] = DW3_SPECS.map((s) => ({
  name: `depthwiseConv3d x=${s.x} k=${s.k} stride=${s.stride} pads=${JSON.stringify(s.pads)}`,
  shapes: [s.x, [...s.k, s.x[4], 1]],
  outShape: [
    s.x[0],
    ...s.x.slice(1, 4).map((n, i) => Math.floor((n + s.pads[i]![0] + s.pads[i]![1] - s.k[i]!) / s.stride[i]!) + 1),
    s.x[4],
  ],
  tfFn: (x, w) => depthwiseConv3d(x as tf.Tensor5D, w as tf.Tensor5D, s.stride, s.pads),
  refFn: ([x, w]) => depthwiseConv3dRef(s, x!, w!),
}));

/** x zero-padded on D, H, W (float64, NDHWC). */
function pad3d(x: Float64Array, shape: number[], pads: number[][]): { x: Float64Array; shape: [number, number, number, number, number] } {
  const [b, d, h, w, c] = shape as [number, number, number, number, number];
  const [pd, ph, pw] = pads.map((p) => p[0]! + p[1]!) as [number, number, number];
  const out: [number, number, number, number, number] = [b, d + pd, h + ph, w + pw, c];
  const y = new Float64Array(out.reduce((a, v) => a * v, 1));
  for (let n = 0; n < b; n++)
    for (let t = 0; t < d; t++)
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++)
          for (let ch = 0; ch < c; ch++) {
            const o = ((((n * out[1] + t + pads[0]![0]!) * out[2] + i + pads[1]![0]!) * out[3] + j + pads[2]![0]!) * c + ch) as number;
            y[o] = x[(((n * d + t) * h + i) * w + j) * c + ch]!;
          }
  return { x: y, shape: out };
}

const PADDED_C3_SPECS: {
  x: [number, number, number, number, number];
  w: [number, number, number, number, number];
  stride: [number, number, number];
  pads: [[number, number], [number, number], [number, number]];
}[] = [
  {
    x: [2, 4, 6, 6, 2],
    w: [3, 3, 3, 2, 3],
    stride: [1, 2, 2],
    pads: [
      [1, 1],
      [1, 1],
      [1, 1],
    ],
  },
  {
    x: [1, 5, 5, 6, 3],
    w: [3, 1, 1, 3, 2],
    stride: [2, 1, 1],
    pads: [
      [1, 1],
      [0, 0],
      [0, 0],
    ],
  },
  {
    x: [2, 3, 7, 6, 2],
    w: [1, 3, 3, 2, 2],
    stride: [1, 2, 2],
    pads: [
      [0, 0],
      [2, 1],
      [0, 2],
    ],
  },
];

export const conv3dPaddedCases: GradCase[] = PADDED_C3_SPECS.map((s) => ({
  name: `conv3dPadded x=${s.x} w=${s.w} stride=${s.stride} pads=${JSON.stringify(s.pads)}`,
  shapes: [s.x, s.w],
  outShape: [
    s.x[0],
    ...s.x.slice(1, 4).map((n, i) => Math.floor((n + s.pads[i]![0] + s.pads[i]![1] - s.w[i]!) / s.stride[i]!) + 1),
    s.w[4],
  ],
  tfFn: (x, w) => conv3dPadded(x as tf.Tensor5D, w as tf.Tensor5D, s.stride, s.pads),
  refFn: ([x, w]) => {
    const p = pad3d(x!, s.x, s.pads);
    return conv3dRef({ x: p.shape, w: s.w, stride: s.stride, pad: 'valid' }, p.x, w!);
  },
}));

const RESIZE_SPECS: ResizeSpec[] = [];
for (const kind of ['bilinear', 'nearest'] as const) {
  for (const [alignCorners, halfPixelCenters] of [
    [false, false],
    [true, false],
    [false, true],
  ] as const) {
    RESIZE_SPECS.push({ x: [2, 5, 6, 2], size: [9, 11], alignCorners, halfPixelCenters, kind });
    RESIZE_SPECS.push({ x: [2, 9, 8, 2], size: [4, 5], alignCorners, halfPixelCenters, kind });
  }
}

export const resizeCases: GradCase[] = RESIZE_SPECS.map((s) => ({
  name: `resize${s.kind} ${s.x.slice(1, 3)}→${s.size} alignCorners=${s.alignCorners} halfPixelCenters=${s.halfPixelCenters}`,
  shapes: [s.x],
  outShape: [s.x[0], ...s.size, s.x[3]],
  tfFn: (x) => {
    const f = s.kind === 'bilinear' ? tf.image.resizeBilinear : tf.image.resizeNearestNeighbor;
    return f(x as tf.Tensor4D, s.size, s.alignCorners, s.halfPixelCenters);
  },
  refFn: ([x]) => resizeRef(s, x!),
}));

const TRILINEAR_SPECS: {
  x: [number, number, number, number, number];
  size: [number, number, number];
  alignCorners: boolean;
  halfPixelCenters: boolean;
}[] = [
  // SlowFast fusion: fast T=8 → slow T=3, spatial 6×5 → 4×4.
  { x: [2, 8, 6, 5, 2], size: [3, 4, 4], alignCorners: false, halfPixelCenters: true },
  { x: [1, 3, 4, 4, 3], size: [5, 4, 4], alignCorners: true, halfPixelCenters: false },
  { x: [2, 4, 3, 3, 2], size: [2, 5, 6], alignCorners: false, halfPixelCenters: false },
];

export const trilinearCases: GradCase[] = TRILINEAR_SPECS.map((s) => ({
  name: `resizeTrilinear ${s.x.slice(1, 4)}→${s.size} alignCorners=${s.alignCorners} halfPixelCenters=${s.halfPixelCenters}`,
  shapes: [s.x],
  outShape: [s.x[0], ...s.size, s.x[4]],
  tfFn: (x) => resizeTrilinear(x as tf.Tensor5D, s.size, s.alignCorners, s.halfPixelCenters),
  refFn: ([x]) => trilinearRef(s.x, s.size, s.alignCorners, s.halfPixelCenters, x!),
}));

/** Gather's gradient is UnsortedSegmentSum; repeated indices must accumulate. */
const GATHER_IDX = [3, 0, 3, 1, 4, 3];
export const gatherCase: GradCase = {
  name: 'gather (UnsortedSegmentSum gradient) with repeated indices',
  shapes: [[5, 3]],
  outShape: [GATHER_IDX.length, 3],
  tfFn: (x) => tf.gather(x, tf.tensor1d(GATHER_IDX, 'int32')),
  refFn: ([x]) => Float64Array.from(GATHER_IDX.flatMap((i) => [0, 1, 2].map((j) => x![i * 3 + j]!))),
};

/** Row-major index helpers for the data-movement references below. */
const strides = (shape: number[]) => shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
/** out[i] = x[source(index of i)] (or `fill` where source gives null). */
function moveRef(x: Float64Array, inShape: number[], outShape: number[], source: (o: number[]) => number[] | null, fill = 0): Float64Array {
  const n = outShape.reduce((a, b) => a * b, 1);
  const so = strides(outShape);
  const si = strides(inShape);
  return Float64Array.from({ length: n }, (_, i) => {
    const src = source(so.map((s, k) => Math.floor(i / s) % (outShape[k] as number)));
    return src ? (x[src.reduce((a, v, k) => a + v * (si[k] as number), 0)] as number) : fill;
  });
}

const FRAMES = [3, 0, 0, 2];
/**
 * The SlowFast fusion's data movement (native strided block copies): a channel concat (gradient
 * SplitV), nearest-frame resampling (GatherV2 on the time axis; gradient Transpose +
 * UnsortedSegmentSum), a slim layer's channel slice (gradient PadV2) and a one-axis pad.
 */
export const dataMovementCases: GradCase[] = [
  {
    name: 'concat on the channel axis (SplitV gradient)',
    shapes: [
      [2, 2, 3, 3, 4],
      [2, 2, 3, 3, 2],
    ],
    outShape: [2, 2, 3, 3, 6],
    tfFn: (a, b) => tf.concat([a as tf.Tensor, b as tf.Tensor], 4),
    refFn: ([a, b]) => {
      const out = new Float64Array(2 * 2 * 3 * 3 * 6);
      for (let r = 0; r < 36; r++) for (let c = 0; c < 6; c++) out[r * 6 + c] = c < 4 ? a![r * 4 + c]! : b![r * 2 + c - 4]!;
      return out;
    },
  },
  {
    name: 'gather frames on the time axis of a clip (Transpose + UnsortedSegmentSum gradient)',
    shapes: [[1, 4, 4, 4, 4]],
    outShape: [1, FRAMES.length, 4, 4, 4],
    tfFn: (x) => tf.gather(x, tf.tensor1d(FRAMES, 'int32'), 1),
    refFn: ([x]) => moveRef(x!, [1, 4, 4, 4, 4], [1, FRAMES.length, 4, 4, 4], ([n, t, h, w, c]) => [n!, FRAMES[t!]!, h!, w!, c!]),
  },
  {
    name: 'slice of a conv kernel on its output channels (PadV2 gradient)',
    shapes: [[1, 3, 3, 4, 6]],
    outShape: [1, 3, 3, 4, 4],
    tfFn: (x) => tf.slice(x, [0, 0, 0, 0, 1], [-1, -1, -1, -1, 4]),
    refFn: ([x]) => moveRef(x!, [1, 3, 3, 4, 6], [1, 3, 3, 4, 4], ([a, b, c, d, e]) => [a!, b!, c!, d!, e! + 1]),
  },
  {
    name: 'pad one axis with 0.5 (Slice gradient)',
    shapes: [[2, 3, 4]],
    outShape: [2, 6, 4],
    tfFn: (x) =>
      tf.pad(
        x,
        [
          [0, 0],
          [1, 2],
          [0, 0],
        ],
        0.5,
      ),
    refFn: ([x]) => moveRef(x!, [2, 3, 4], [2, 6, 4], ([a, b, c]) => (b! >= 1 && b! < 4 ? [a!, b! - 1, c!] : null), 0.5),
  },
];

/** Inputs on a half-step grid, so none sits on a kink (0, or 6 after scaling by 8). */
const offKink = (n: number, seed: number) => fixture(n, seed).map((v) => v + 1 / 2048);
export const activationCases: GradCase[] = [
  {
    name: 'relu gradient (AdaptNetReluGrad where registered)',
    shapes: [[3, 5, 4]],
    inputs: [offKink(60, 3)],
    outShape: [3, 5, 4],
    tfFn: (x) => tf.relu(x),
    refFn: ([x]) => x!.map((v) => Math.max(0, v)),
  },
  {
    name: 'relu6 gradient (AdaptNetReluGrad where registered)',
    shapes: [[3, 5, 4]],
    inputs: [offKink(60, 4)],
    outShape: [3, 5, 4],
    tfFn: (x) => tf.relu6(tf.mul(x, 8)),
    refFn: ([x]) => x!.map((v) => Math.min(6, Math.max(0, 8 * v))),
  },
];
