import '../../src/node.js';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/init.js';
import { builtinKernel } from '../../src/kernels/registry.js';
import { testBackends } from '../helpers/backends.js';

const BACKENDS = (await testBackends()).filter((b) => b !== 'wasm');

/** Runs tfjs's own cpu kernel (what the fill replaces) on cpu tensors: the independent reference. */
function builtin(kernelName: string, x: tf.Tensor, attrs: Record<string, unknown>): { values: number[]; shape: number[] } {
  const k = builtinKernel(kernelName, 'cpu');
  if (!k) throw new Error(`no built-in ${kernelName}`);
  const backend = tf.findBackend('cpu') as tf.KernelBackend;
  const out = k.kernelFunc({ inputs: { x }, backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
  const values = Array.from(backend.readSync(out.dataId) as Float32Array);
  backend.disposeData(out.dataId);
  return { values, shape: out.shape };
}

function seeded(shape: number[], seed: number, dtype: 'float32' | 'int32'): tf.Tensor {
  let s = seed;
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return dtype === 'int32' ? (s % 1000) - 500 : (s / 2 ** 32) * 2 - 1;
  });
  return tf.tensor(v, shape, dtype);
}

const SLICES: [number[], number[], number[]][] = [
  [[7], [2], [4]],
  [
    [3, 3, 32, 64],
    [0, 0, 0, 0],
    [3, 3, 16, 24],
  ], // a slimmed conv kernel
  [
    [3, 3, 40, 1],
    [0, 0, 0, 0],
    [3, 3, 24, 1],
  ], // a slimmed depthwise kernel
  [
    [64, 10],
    [0, 0],
    [48, 10],
  ], // a slimmed dense kernel (rows only: one run)
  [
    [2, 5, 6, 7],
    [1, 1, 2, 3],
    [1, 3, 4, -1],
  ], // offsets everywhere, -1 = to the end
  [
    [2, 3, 4, 5, 6],
    [0, 1, 0, 2, 0],
    [2, 2, 4, 3, 6],
  ], // rank 5, whole trailing axis
  [
    [4, 4],
    [1, 0],
    [0, 4],
  ], // empty
];

const PADS: [number[], [number, number][], number][] = [
  [[5], [[2, 3]], 0],
  [
    [3, 3, 16, 24],
    [
      [0, 0],
      [0, 0],
      [0, 16],
      [0, 40],
    ],
    0,
  ], // gradient of a slimmed kernel slice
  [
    [2, 4, 4, 3],
    [
      [0, 0],
      [1, 2],
      [2, 1],
      [0, 0],
    ],
    0,
  ], // spatial padding
  [
    [2, 3, 2],
    [
      [1, 0],
      [0, 2],
      [1, 1],
    ],
    1.5,
  ], // non-zero constant
];

describe.each(BACKENDS)('block-copy Slice / PadV2 on %s equal tfjs built-in cpu kernels', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend: backend as 'cpu' | 'native', log: false });
  });

  it.each(SLICES.map((c) => [JSON.stringify(c), c] as const))('slice %s', (_, [shape, begin, size]) => {
    for (const dtype of ['float32', 'int32'] as const) {
      const x = seeded(shape, shape.length * 7 + 1, dtype);
      const got = tf.slice(x, begin, size);
      const ref = builtin('Slice', x, { begin, size });
      expect(got.shape).toEqual(ref.shape);
      expect(Array.from(got.dataSync())).toEqual(ref.values);
      expect(got.dtype).toBe(dtype);
      tf.dispose([x, got]);
    }
  });

  it.each(PADS.map((c) => [JSON.stringify(c), c] as const))('pad %s', (_, [shape, paddings, constantValue]) => {
    const x = seeded(shape, 11, 'float32');
    const got = tf.pad(x, paddings, constantValue);
    const ref = builtin('PadV2', x, { paddings, constantValue });
    expect(got.shape).toEqual(ref.shape);
    expect(Array.from(got.dataSync())).toEqual(ref.values);
    tf.dispose([x, got]);
  });

  it('the gradient of a slice (a pad) puts dy back in place and zeros elsewhere', () => {
    const x = seeded([3, 3, 8, 16], 5, 'float32');
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.slice(t, [0, 0, 2, 4], [3, 3, 4, 8]), 3)))(x);
    const v = g.arraySync() as number[][][][];
    for (let c = 0; c < 8; c++) for (let o = 0; o < 16; o++) expect(v[1]?.[2]?.[c]?.[o]).toBe(c >= 2 && c < 6 && o >= 4 && o < 12 ? 3 : 0);
    tf.dispose([x, g]);
  });
});
