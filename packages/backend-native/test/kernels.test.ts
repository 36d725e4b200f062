// The union package registers every gradient (tfjs-core's Node build registers none).
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NativeBackendInfo } from '../src/index.js';

// CI installs oneDNN, so there the addon must exist; elsewhere its absence skips this file, loudly.
const loaded = await import('../src/index.js').then(
  (m) => m.nativeBackendInfo,
  (e: unknown) => {
    if (process.env.CI) throw e;
    console.warn(`@adaptnet/backend-native tests skipped: ${(e as Error).message}`);
    return null;
  },
);
const nativeBackendInfo = loaded as NativeBackendInfo;
const describeNative = loaded ? describe : describe.skip;

/*
 * Every kernel the native backend overrides must equal the plain cpu backend's kernel, forward and
 * gradient, on random shapes. Tolerance: max |native − cpu| ≤ 1e-4 · (1 + max |cpu|).
 */
const TOL = 1e-4;

type Case = { name: string; shapes: number[][]; fn: (...xs: tf.Tensor[]) => tf.Tensor; grad?: boolean };

let seed = 1;
const rand = (shape: number[]) => {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    v[i] = (seed / 4294967296) * 2 - 1;
  }
  return v;
};

/** Output and input gradients of Σ r ⊙ f(x) on the active backend. */
function evaluate(c: Case, inputs: Float32Array[], r: Float32Array): Float32Array[] {
  return tf.tidy(() => {
    const xs = inputs.map((v, i) => tf.tensor(v, c.shapes[i]));
    const y = c.fn(...xs);
    const out = [y.dataSync() as Float32Array];
    if (c.grad === false) return out;
    const rt = tf.tensor(r, y.shape);
    const g = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(c.fn(...a), rt)))(xs);
    return [...out, ...g.map((t) => t.dataSync() as Float32Array)];
  });
}

function relErr(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return Number.isNaN(err) ? Infinity : err / (1 + scale);
}

const conv = (
  x: number[],
  w: number[],
  s: number | [number, number],
  pad: 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]],
  dil: number | [number, number] = 1,
): Case => ({
  name: `conv2d x=${x} w=${w} s=${s} pad=${JSON.stringify(pad)} dil=${dil}`,
  shapes: [x, w],
  fn: (a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad, 'NHWC', dil),
  grad: dil === 1,
});
const dw = (x: number[], w: number[], s: number | [number, number], pad: 'same' | 'valid', dil: number | [number, number] = 1): Case => ({
  name: `depthwise x=${x} w=${w} s=${s} pad=${pad} dil=${dil}`,
  shapes: [x, w],
  fn: (a, b) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad, 'NHWC', dil),
  grad: dil === 1,
});
const c3 = (x: number[], w: number[], s: number | [number, number, number], pad: 'same' | 'valid'): Case => ({
  name: `conv3d x=${x} w=${w} s=${s} pad=${pad}`,
  shapes: [x, w],
  fn: (a, b) => tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, s, pad),
});

const BINARY = {
  add: tf.add,
  sub: tf.sub,
  mul: tf.mul,
  div: tf.div,
  maximum: tf.maximum,
  minimum: tf.minimum,
  squaredDifference: tf.squaredDifference,
};
const UNARY = {
  relu: tf.relu,
  relu6: tf.relu6,
  neg: tf.neg,
  square: tf.square,
  exp: tf.exp,
  abs: tf.abs,
  sigmoid: tf.sigmoid,
  tanh: tf.tanh,
};
const POOL = { maxPool: tf.maxPool, avgPool: tf.avgPool };
const REDUCE = { sum: tf.sum, mean: tf.mean, max: tf.max, min: tf.min };

const CASES: Case[] = [
  conv([2, 9, 7, 3], [3, 3, 3, 5], 1, 'same'),
  conv([2, 9, 7, 3], [3, 3, 3, 5], 2, 'same'),
  conv([3, 8, 8, 4], [3, 3, 4, 6], [2, 1], 'valid'),
  conv([2, 6, 5, 8], [1, 1, 8, 4], 1, 'valid'),
  conv([2, 7, 7, 8], [1, 1, 8, 4], 2, 'same'),
  conv([2, 8, 9, 3], [5, 3, 3, 4], 2, [
    [0, 0],
    [2, 1],
    [1, 0],
    [0, 0],
  ]),
  conv([1, 10, 10, 2], [3, 3, 2, 3], 1, 'same', 2),
  dw([2, 9, 7, 6], [3, 3, 6, 1], 1, 'same'),
  dw([2, 9, 8, 6], [3, 3, 6, 1], 2, 'same'),
  dw([2, 8, 8, 4], [5, 3, 4, 1], [2, 1], 'valid'),
  dw([2, 6, 7, 3], [3, 3, 3, 2], 1, 'same'),
  dw([1, 9, 9, 4], [3, 3, 4, 1], 1, 'valid', 2),
  c3([2, 4, 6, 5, 3], [3, 3, 3, 3, 4], 1, 'same'),
  c3([2, 5, 6, 6, 2], [3, 3, 3, 2, 3], 2, 'same'),
  c3([1, 4, 7, 6, 3], [1, 3, 3, 3, 2], [1, 2, 2], 'valid'),
  {
    name: 'matMul [5,7]x[7,3]',
    shapes: [
      [5, 7],
      [7, 3],
    ],
    fn: (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
  },
  {
    name: 'matMul transposed both',
    shapes: [
      [7, 5],
      [3, 7],
    ],
    fn: (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, true, true),
  },
  {
    name: 'batched matMul [4,3,5]x[4,5,2]',
    shapes: [
      [4, 3, 5],
      [4, 5, 2],
    ],
    fn: (a, b) => tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D),
  },
  {
    name: 'batched matMul broadcast [4,3,5]x[1,5,2]',
    shapes: [
      [4, 3, 5],
      [1, 5, 2],
    ],
    fn: (a, b) => tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D),
    grad: false,
  },
  {
    name: 'fused conv2d + bias + relu',
    shapes: [[2, 6, 6, 3], [3, 3, 3, 4], [4]],
    fn: (a, b, c) =>
      tf.fused.conv2d({ x: a as tf.Tensor4D, filter: b as tf.Tensor4D, strides: 1, pad: 'same', bias: c, activation: 'relu' }),
  },
  {
    name: 'fused matMul + bias + relu6',
    shapes: [[3, 4], [4, 5], [5]],
    fn: (a, b, c) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias: c, activation: 'relu6' }),
    grad: false,
  },
  ...(Object.keys(BINARY) as (keyof typeof BINARY)[]).flatMap((op) =>
    [
      [
        [2, 3, 4, 5],
        [2, 3, 4, 5],
      ],
      [[2, 3, 4, 5], [5]],
      [
        [2, 3, 4, 5],
        [1, 3, 1, 5],
      ],
      [
        [4, 1],
        [1, 6],
      ],
      [[3, 4], []],
    ].map(([a, b]) => ({
      name: `${op} ${JSON.stringify(a)} ⊕ ${JSON.stringify(b)}`,
      shapes: [a!, b!],
      // tfjs's Maximum/Minimum/SquaredDifference gradients do not reduce over broadcast axes (on
      // every backend), so only their same-shape gradients exist to compare.
      grad: ['add', 'sub', 'mul', 'div'].includes(op) || JSON.stringify(a) === JSON.stringify(b),
      // Keep divisors away from 0 so the comparison is well conditioned.
      fn: (x: tf.Tensor, y: tf.Tensor) => (op === 'div' ? tf.div(x, tf.add(tf.abs(y), 0.5)) : BINARY[op](x, y)),
    })),
  ),
  ...(Object.keys(UNARY) as (keyof typeof UNARY)[]).map((op) => ({
    name: `${op}`,
    shapes: [[3, 5, 7]],
    fn: (x: tf.Tensor) => (op === 'relu6' ? tf.relu6(tf.mul(x, 8)) : UNARY[op](x)),
  })),
  {
    name: 'sqrt, rsqrt, log of positives',
    shapes: [[4, 6]],
    fn: (x) => tf.add(tf.add(tf.sqrt(tf.add(tf.abs(x), 0.1)), tf.rsqrt(tf.add(tf.abs(x), 0.1))), tf.log(tf.add(tf.abs(x), 0.1))),
  },
  ...(['resizeBilinear', 'resizeNearestNeighbor'] as const).flatMap((op) =>
    (
      [
        [false, false],
        [true, false],
        [false, true],
      ] as const
    ).flatMap(([alignCorners, halfPixelCenters]) =>
      (
        [
          [
            [2, 5, 6, 3],
            [9, 11],
          ],
          [
            [2, 9, 8, 3],
            [4, 5],
          ],
        ] as const
      ).map(([shape, size]) => ({
        name: `${op} ${shape}→${size} alignCorners=${alignCorners} halfPixelCenters=${halfPixelCenters}`,
        shapes: [[...shape]],
        fn: (x: tf.Tensor) => tf.image[op](x as tf.Tensor4D, [...size] as [number, number], alignCorners, halfPixelCenters),
        // cpu's own resize gradients are wrong (core's fills fix them); core's finite-difference suite checks these on native.
        grad: false,
      })),
    ),
  ),
  ...(
    [
      ['maxPool', [2, 7, 6, 3], 3, 2, 'same'],
      ['maxPool', [2, 8, 8, 4], 2, 2, 'valid'],
      ['avgPool', [2, 7, 6, 3], 3, 2, 'same'],
      ['avgPool', [2, 6, 7, 2], 3, 1, 'same'],
      ['avgPool', [2, 8, 8, 4], 2, 2, 'valid'],
    ] as const
  ).map(([op, shape, k, s, pad]) => ({
    name: `${op} ${shape} k=${k} s=${s} ${pad}`,
    shapes: [[...shape]],
    fn: (x: tf.Tensor) => POOL[op](x as tf.Tensor4D, k, s, pad),
    // cpu's AvgPoolGrad is wrong at 'same' borders (core's fills fix it); core's finite-difference suite checks native.
    grad: op === 'maxPool',
  })),
  // 3D pooling; c = 40 makes the gradient split channels across threads at batch 1.
  ...(
    [
      ['maxPool3d', [2, 4, 7, 6, 3], [3, 3, 3], [2, 2, 2], 'same'],
      ['maxPool3d', [1, 3, 8, 8, 40], [1, 3, 3], [1, 2, 2], 'same'],
      ['maxPool3d', [2, 4, 6, 6, 2], [2, 2, 2], [2, 2, 2], 'valid'],
      ['avgPool3d', [2, 4, 7, 6, 3], [3, 3, 3], [1, 2, 2], 'same'],
      ['avgPool3d', [1, 5, 6, 6, 40], [3, 2, 2], [2, 2, 2], 'valid'],
    ] as const
  ).map(([op, shape, k, s, pad]) => ({
    name: `${op} ${shape} k=${k} s=${s} ${pad}`,
    shapes: [[...shape]],
    fn: (x: tf.Tensor) => (op === 'maxPool3d' ? tf.maxPool3d : tf.avgPool3d)(x as tf.Tensor5D, [...k], [...s], pad),
    // cpu's AvgPool3DGrad is wrong at 'same' borders (core's fills fix it; its finite-difference suite checks native).
    grad: op === 'maxPool3d' || pad === 'valid',
  })),
  c3([2, 3, 8, 8, 16], [1, 3, 3, 16, 8], [1, 2, 2], 'same'),
  c3([1, 6, 5, 5, 8], [3, 1, 1, 8, 16], [2, 1, 1], 'same'),
  c3([2, 4, 8, 6, 4], [1, 7, 7, 4, 8], [1, 2, 2], 'same'),
  {
    name: 'squeeze-excitation on 5D: x · sigmoid(mean over T, H, W)',
    shapes: [[2, 3, 4, 5, 6]],
    fn: (x) => tf.mul(x, tf.sigmoid(tf.mean(x, [1, 2, 3], true))),
  },
  { name: 'step (relu gradient)', shapes: [[4, 6]], fn: (x) => tf.step(x, 0.1), grad: false },
  {
    name: 'transpose [N, T, H, W, C] → [T, N, H, W, C] (block copies)',
    shapes: [[2, 3, 4, 5, 6]],
    fn: (x) => tf.transpose(x, [1, 0, 2, 3, 4]),
  },
  { name: 'transpose 4D [2, 0, 1, 3] (block copies)', shapes: [[3, 4, 2, 70]], fn: (x) => tf.transpose(x, [2, 0, 1, 3]) },
  { name: 'transpose channels to front (the cpu kernel)', shapes: [[2, 3, 4]], fn: (x) => tf.transpose(x, [2, 0, 1]) },
  {
    name: 'unsorted segment sum over the first axis, ids repeated and missing',
    shapes: [[5, 3, 4, 6]],
    fn: (x) => tf.unsortedSegmentSum(x, tf.tensor1d([2, 0, 2, 3, 0], 'int32'), 4),
  },
  // Data movement (native copyBlocks); gradients: Concat ↔ SplitV, Slice ↔ PadV2.
  ...[4, 3, 1, 0, -1].map((axis) => ({
    name: `concat 5D on axis ${axis} (SlowFast fusion), gradient SplitV`,
    shapes: [
      [2, 3, 4, 5, 6],
      [2, 3, 4, 5, 6].map((d, i) => (i === (axis + 5) % 5 ? d + 2 : d)),
      [2, 3, 4, 5, 6].map((d, i) => (i === (axis + 5) % 5 ? 1 : d)),
    ],
    fn: (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.concat([a, b, c], axis),
  })),
  {
    name: 'split 4D into sizes [2, -1, 1] on the last axis',
    shapes: [[3, 4, 5, 7]],
    fn: (x) => tf.split(x, [2, -1, 1], 3)[1] as tf.Tensor,
  },
  { name: 'split 3D into 3 equal parts on axis 1', shapes: [[2, 6, 5]], fn: (x) => tf.split(x, 3, 1)[2] as tf.Tensor },
  ...[1, 4, 0].map((axis) => ({
    name: `gather frames [3, 0, 0, 2] on axis ${axis} of a 5D clip`,
    shapes: [[4, 4, 3, 3, 5]],
    fn: (x: tf.Tensor) => tf.gather(x, tf.tensor1d([3, 0, 0, 2], 'int32'), axis),
  })),
  ...[
    { begin: [0, 0, 0, 0, 0], size: [-1, -1, -1, -1, 3] },
    { begin: [0, 0, 0, 0, 1], size: [-1, -1, -1, -1, 3] },
    { begin: [0, 0, 0, 1, 0], size: [-1, -1, -1, 2, -1] },
    { begin: [1, 0, 0, 0, 0], size: [1, -1, -1, -1, -1] },
    { begin: [0, 1, 0, 1, 0], size: [-1, 2, -1, 2, -1] },
    { begin: [0, 0, 1, 2, 0], size: [1, 1, 2, 2, 2] },
  ].map(({ begin, size }) => ({
    name: `slice 5D weights begin ${begin} size ${size}, gradient PadV2`,
    shapes: [[2, 3, 3, 4, 5]],
    fn: (x: tf.Tensor) => tf.slice(x, begin, size),
  })),
  ...[
    [
      [0, 0],
      [0, 0],
      [1, 2],
      [0, 0],
    ],
    [
      [0, 0],
      [0, 0],
      [0, 0],
      [3, 0],
    ],
    [
      [1, 0],
      [0, 1],
      [0, 0],
      [0, 0],
    ],
  ].map((p) => ({
    name: `pad ${JSON.stringify(p)} with 0.5, gradient Slice`,
    shapes: [[2, 3, 4, 5]],
    fn: (x: tf.Tensor) => tf.pad(x, p as [number, number][], 0.5),
  })),
  ...[
    [
      [2, 5, 6, 3],
      [1, 2],
    ],
    [
      [2, 5, 6, 3],
      [0, 1, 2],
    ],
    [[2, 5, 6, 3], [3]],
    [[2, 5, 6, 3], [0]],
    [
      [2, 5, 6, 3],
      [0, 2],
    ],
    [[7], [0]],
  ].flatMap(([shape, axes]) =>
    (Object.keys(REDUCE) as (keyof typeof REDUCE)[]).map((op) => ({
      name: `${op} ${JSON.stringify(shape)} over ${JSON.stringify(axes)}`,
      shapes: [shape!],
      fn: (x: tf.Tensor) => REDUCE[op](x, axes!, op === 'max'),
    })),
  ),
];

describeNative('native kernels equal the cpu kernels', () => {
  beforeAll(() => {
    expect(nativeBackendInfo.nativeKernels).toContain('Conv2D');
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const inputs = c.shapes.map(rand);
    const outShape = await (async () => {
      await tf.setBackend('cpu');
      return tf.tidy(() => c.fn(...inputs.map((v, i) => tf.tensor(v, c.shapes[i]))).shape);
    })();
    const r = rand(outShape);
    const onCpu = evaluate(c, inputs, r);
    await tf.setBackend('native');
    const before = tf.memory().numTensors;
    const onNative = evaluate(c, inputs, r);
    expect(tf.memory().numTensors).toBe(before);
    onNative.forEach((v, i) => expect(relErr(v, onCpu[i]!), i === 0 ? 'forward' : `gradient ${i - 1}`).toBeLessThanOrEqual(TOL));
  });
});

/** AdaptNetSgdStep's contract, composed from tfjs ops (the arithmetic @adaptnet/core's sgdStep composes). */
type SgdAttrs = { lr: number; momentum: number; nesterov: boolean; weightDecay: number; dampening: number };
function composedSgd(w: tf.Tensor, g: tf.Tensor, v: tf.Tensor, a: SgdAttrs): tf.Tensor[] {
  return tf.tidy(() => {
    const gp = a.weightDecay > 0 ? tf.add(g, tf.mul(w, a.weightDecay)) : g;
    if (a.momentum === 0) return [tf.sub(w, tf.mul(gp, a.lr)), tf.clone(v)];
    const v1 = tf.add(tf.mul(v, a.momentum), a.dampening > 0 ? tf.mul(gp, 1 - a.dampening) : gp);
    const step = a.nesterov ? tf.add(gp, tf.mul(v1, a.momentum)) : v1;
    return [tf.sub(w, tf.mul(step, a.lr)), v1];
  });
}

describeNative('AdaptNetSgdStep (fused SGD step)', () => {
  const ATTRS: SgdAttrs[] = [
    { lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0, dampening: 0 },
    { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 5e-4, dampening: 0 },
    { lr: 0.01, momentum: 0.5, nesterov: false, weightDecay: 0.1, dampening: 0.3 },
    { lr: 0.2, momentum: 0, nesterov: false, weightDecay: 0.01, dampening: 0 },
  ];

  // 40_001 elements take the threaded path (and a ragged last block); 7 the single-thread one.
  it.each(ATTRS.flatMap((a) => [7, 40_001].map((n) => [JSON.stringify(a), n, a] as const)))(
    '%s, %i elements: equals the composed cpu ops bit for bit',
    async (_, n, a) => {
      const [w, g, v] = [rand([n]), rand([n]), rand([n])];
      await tf.setBackend('cpu');
      const want = tf.tidy(() => composedSgd(tf.tensor(w), tf.tensor(g), tf.tensor(v), a).map((t) => t.dataSync()));
      await tf.setBackend('native');
      const before = tf.memory().numTensors;
      const ids = tf.engine().backend.numDataIds();
      const got = tf.tidy(() => {
        const out = tf.engine().runKernel('AdaptNetSgdStep', { param: tf.tensor(w), grad: tf.tensor(g), velocity: tf.tensor(v) }, a);
        return (out as tf.Tensor[]).map((t) => t.dataSync());
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(tf.engine().backend.numDataIds()).toBe(ids);
      for (const i of [0, 1]) {
        const x = new Uint32Array(got[i]!.buffer, got[i]!.byteOffset, n);
        const y = new Uint32Array(want[i]!.buffer, want[i]!.byteOffset, n);
        expect(x.findIndex((b, k) => b !== y[k])).toBe(-1);
      }
    },
  );

  it('momentum 0 returns the velocity storage itself, with its own reference', async () => {
    await tf.setBackend('native');
    const v = tf.tensor1d([1, 2, 3]);
    const [w, g] = [tf.zeros([3]), tf.ones([3])];
    const [w1, v1] = tf
      .engine()
      .runKernel('AdaptNetSgdStep', { param: w, grad: g, velocity: v }, { ...ATTRS[3], weightDecay: 0 }) as tf.Tensor[];
    expect(Array.from(w1!.dataSync())).toEqual([-0.2, -0.2, -0.2].map(Math.fround));
    v.dispose();
    expect(Array.from(v1!.dataSync())).toEqual([1, 2, 3]);
    tf.dispose([w, g]);
    tf.dispose([w1!, v1!]);
  });
});

describeNative('native backend', () => {
  it('registers with oneDNN and reports its threads', () => {
    expect(nativeBackendInfo.onednn).toMatch(/^\d+\.\d+/);
    expect(nativeBackendInfo.threads).toBeGreaterThan(0);
  });

  it('falls back to the cpu kernel for what oneDNN does not cover (int32, NCHW)', async () => {
    await tf.setBackend('native');
    tf.tidy(() => {
      expect(Array.from(tf.add(tf.tensor1d([1, 2], 'int32'), tf.tensor1d([3, 4], 'int32')).dataSync())).toEqual([4, 6]);
      expect(tf.sum(tf.tensor1d([1, 2, 3], 'int32')).dataSync()[0]).toBe(6);
    });
  });

  it("conv3d 'same' with a kernel smaller than its stride reads TF's rows (tfjs's cpu kernel reads the odd ones)", async () => {
    // 1×1×1, stride 2 on an even size: TF pads nothing and samples rows/columns 0, 2, 4, ...
    const [n, d, h, w, ci, co] = [1, 2, 4, 6, 3, 2];
    const xs = rand([n, d, h, w, ci]);
    const ws = rand([1, 1, 1, ci, co]);
    const want: number[] = [];
    for (let t = 0; t < d; t++)
      for (let i = 0; i < h / 2; i++)
        for (let j = 0; j < w / 2; j++)
          for (let o = 0; o < co; o++) {
            let acc = 0;
            for (let c = 0; c < ci; c++) acc += xs[((t * h + 2 * i) * w + 2 * j) * ci + c]! * ws[c * co + o]!;
            want.push(acc);
          }
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(
        () =>
          tf
            .conv3d(tf.tensor(xs, [n, d, h, w, ci]) as tf.Tensor5D, tf.tensor(ws, [1, 1, 1, ci, co]) as tf.Tensor5D, [1, 2, 2], 'same')
            .dataSync() as Float32Array,
      );
    };
    const wantF = Float32Array.from(want);
    expect(relErr(await run('native'), wantF)).toBeLessThanOrEqual(TOL);
    expect(relErr(await run('cpu'), wantF)).toBeGreaterThan(0.01);
  });

  it('AdaptNetBatchNormTrain normalises a 5D tensor over N, T, H, W', async () => {
    await tf.setBackend('native');
    const shape = [2, 3, 4, 5, 6];
    const x = rand(shape);
    const c = 6;
    const count = x.length / c;
    const mean = new Float64Array(c);
    const vari = new Float64Array(c);
    x.forEach((v, i) => {
      mean[i % c]! += v / count;
    });
    x.forEach((v, i) => {
      vari[i % c]! += (v - mean[i % c]!) ** 2 / count;
    });
    const [y, m, v] = tf
      .engine()
      .runKernel(
        'AdaptNetBatchNormTrain',
        { x: tf.tensor(x, shape), gamma: tf.fill([c], 2), beta: tf.fill([c], 0.5) },
        { epsilon: 1e-5 },
      ) as tf.Tensor[];
    expect(y!.shape).toEqual(shape);
    expect(relErr(m!.dataSync() as Float32Array, Float32Array.from(mean))).toBeLessThanOrEqual(1e-6);
    expect(relErr(v!.dataSync() as Float32Array, Float32Array.from(vari))).toBeLessThanOrEqual(1e-6);
    const want = Float32Array.from(x, (xv, i) => (2 * (xv - mean[i % c]!)) / Math.sqrt(vari[i % c]! + 1e-5) + 0.5);
    expect(relErr(y!.dataSync() as Float32Array, want)).toBeLessThanOrEqual(1e-5);
    tf.dispose([y!, m!, v!]);
  });

  it('a 3D training loop (conv3d, max pool 3D, channel-wise conv3d kernel) leaks no tensors', async () => {
    await tf.setBackend('native');
    const w = tf.variable(tf.tensor(rand([1, 3, 3, 2, 4]), [1, 3, 3, 2, 4]));
    const dw = tf.variable(tf.tensor(rand([3, 3, 3, 4, 1]), [3, 3, 3, 4, 1]));
    const x = tf.tensor(rand([2, 4, 8, 8, 2]), [2, 4, 8, 8, 2]);
    const opt = tf.train.momentum(0.01, 0.9);
    const pads = {
      strides: [1, 1, 1],
      pads: [
        [1, 1],
        [1, 1],
        [1, 1],
      ],
    };
    const loss = () => {
      const y = tf.maxPool3d(
        tf.relu(tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, [1, 2, 2], 'same')) as tf.Tensor5D,
        [1, 3, 3],
        [1, 2, 2],
        'same',
      );
      const z = tf.engine().runKernel('AdaptNetDepthwiseConv3D', { x: y, filter: dw }, pads) as tf.Tensor;
      return tf.mean(tf.square(z)) as tf.Scalar;
    };
    // The channel-wise kernel's gradient lives in @adaptnet/core; without it only forward is checked here.
    const trainable = tf.getGradient('AdaptNetDepthwiseConv3D') !== undefined;
    const step = () => (trainable ? opt.minimize(loss) : tf.tidy(loss).dispose());
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, dw, x]);
    opt.dispose();
  });

  it('a training loop leaks no tensors', async () => {
    await tf.setBackend('native');
    const w = tf.variable(tf.tensor(rand([3, 3, 2, 4]), [3, 3, 2, 4]));
    const x = tf.tensor(rand([4, 8, 8, 2]), [4, 8, 8, 2]);
    const opt = tf.train.momentum(0.01, 0.9);
    const step = () =>
      opt.minimize(() => tf.mean(tf.square(tf.relu(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same')))) as tf.Scalar);
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, x]);
    opt.dispose();
  });
});
