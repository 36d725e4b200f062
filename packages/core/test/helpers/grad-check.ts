import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { finiteDifferenceGrad, fixture } from './reference.js';

export interface GradCase {
  name: string;
  shapes: number[][];
  /** Inputs as float64 values exactly representable in float32. */
  inputs?: Float64Array[];
  outShape: number[];
  tfFn: (...xs: tf.Tensor[]) => tf.Tensor;
  refFn: (xs: Float64Array[]) => Float64Array;
}

/** Stated tolerance of every gradient check: max |g - g_ref| ≤ TOL · (1 + max |g_ref|). */
export const TOL = 1e-4;

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

export function caseInputs(c: GradCase): Float64Array[] {
  return c.inputs ?? c.shapes.map((s, i) => fixture(size(s), 17 + 31 * i));
}

export function weights(c: GradCase): Float64Array {
  return fixture(size(c.outShape), 991);
}

/** Gradients of Σ r ⊙ f(x) on the active backend, one per input. */
export function tfGradients(c: GradCase): Float32Array[] {
  const xs = caseInputs(c);
  return tf.tidy(() => {
    const ts = xs.map((v, i) => tf.tensor(Float32Array.from(v), c.shapes[i]));
    const r = tf.tensor(Float32Array.from(weights(c)), c.outShape);
    const gradFn = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(c.tfFn(...args), r)));
    return gradFn(ts).map((g) => g.dataSync() as Float32Array);
  });
}

export function referenceGradients(c: GradCase): Float64Array[] {
  const xs = caseInputs(c);
  return xs.map((_, i) => finiteDifferenceGrad(c.refFn, xs, i, weights(c)));
}

export function maxAbsError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let err = 0;
  for (let i = 0; i < actual.length; i++) err = Math.max(err, Math.abs(actual[i]! - expected[i]!));
  return Number.isNaN(err) ? Infinity : err;
}

export function maxAbs(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]!));
  return m;
}

/** The worst error of tfjs's gradients against finite differences, relative to TOL's scale. */
export function gradientError(c: GradCase): number {
  const got = tfGradients(c);
  const want = referenceGradients(c);
  return Math.max(...got.map((g, i) => maxAbsError(g, want[i]!) / (1 + maxAbs(want[i]!))));
}

/** The forward pass against the reference, with the same relative scale. */
export function forwardError(c: GradCase): number {
  const xs = caseInputs(c);
  const got = tf.tidy(() => c.tfFn(...xs.map((v, i) => tf.tensor(Float32Array.from(v), c.shapes[i]))).dataSync());
  const want = c.refFn(xs);
  return maxAbsError(got, want) / (1 + maxAbs(want));
}

/** Allocations the backend holds: catches leaks below the engine (e.g. inside composed kernels). */
export function backendDataIds(): number {
  return tf.engine().backend.numDataIds();
}

/**
 * The whole check of one case: forward and gradients within TOL of the float64 reference, and no
 * tensor or backend allocation left behind by either.
 */
export function expectMatchesFiniteDifferences(c: GradCase): void {
  const tensors = tf.memory().numTensors;
  const ids = backendDataIds();
  expect(forwardError(c)).toBeLessThanOrEqual(TOL);
  expect(gradientError(c)).toBeLessThanOrEqual(TOL);
  expect(tf.memory().numTensors).toBe(tensors);
  expect(backendDataIds()).toBe(ids);
}
