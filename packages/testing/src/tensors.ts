// Importing core registers every tfjs gradient (tfjs-core's Node build registers none).
import { initBackend } from '@adaptnet/core/node';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** cpu and wasm always; native when @adaptnet/backend-native is built on this machine. Leaves cpu active. */
export async function testBackends(): Promise<string[]> {
  const names = ['cpu', 'wasm'];
  try {
    await initBackend({ backend: 'native', log: false });
    names.push('native');
  } catch {
    // not available here
  }
  for (const b of ['wasm', 'cpu'] as const) await initBackend({ backend: b, log: false });
  return names;
}

export async function useBackend(name: string): Promise<void> {
  await initBackend({ backend: name as 'cpu' | 'wasm' | 'native', log: false });
}

/** max |a − e| ≤ tol · (1 + max |e|). */
export function expectClose(actual: tf.Tensor | ArrayLike<number>, expected: tf.Tensor | ArrayLike<number>, tol = 1e-5): void {
  const a = Array.from(actual instanceof tf.Tensor ? actual.dataSync() : actual);
  const e = Array.from(expected instanceof tf.Tensor ? expected.dataSync() : expected);
  if (actual instanceof tf.Tensor && expected instanceof tf.Tensor) expect(actual.shape).toEqual(expected.shape);
  expect(a.length).toBe(e.length);
  const scale = 1 + Math.max(0, ...e.map(Math.abs));
  const err = Math.max(0, ...a.map((v, i) => Math.abs(v - e[i]!)));
  expect(err).toBeLessThanOrEqual(tol * scale);
}

/** Calls `fn` (which returns tensors to dispose) repeatedly; the tensor count must stay flat. */
export function expectNoLeak(fn: () => tf.Tensor | tf.Tensor[], times = 20): void {
  tf.dispose(fn());
  const before = tf.memory().numTensors;
  for (let i = 0; i < times; i++) tf.dispose(fn());
  expect(tf.memory().numTensors).toBe(before);
}

/** Deterministic values in [-1, 1) on a 1/256 grid (exact in float32), independent of the code under test. */
export function fixture(shape: readonly number[], seed: number): tf.Tensor {
  let s = seed >>> 0 || 1;
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = (Math.floor((s / 2 ** 32) * 512) - 256) / 256;
  }
  return tf.tensor(data, [...shape]);
}

export type Nested = number | Nested[];

/** Slices nested JS arrays: `ranges[i]` lists the indices kept on axis i (undefined keeps all). */
export function pick(a: Nested, ranges: readonly (readonly number[] | undefined)[], axis = 0): Nested {
  if (!Array.isArray(a)) return a;
  const keep = ranges[axis];
  const rows = keep ? keep.map((i) => a[i] as Nested) : a;
  return rows.map((r) => pick(r, ranges, axis + 1));
}

export function range(n: number, start = 0): number[] {
  return Array.from({ length: n }, (_, i) => start + i);
}
