import type * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/*
 * Float64 reference math in plain JS, independent of tfjs: each row is one sample's logits.
 */

export type Rows = number[][];

export function softmax(z: readonly number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

export function kl(p: readonly number[], q: readonly number[]): number {
  return p.reduce((s, pc, c) => (pc === 0 ? s : s + pc * Math.log(pc / q[c]!)), 0);
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Batch-mean KL(softmax(teacher) ‖ softmax(student)). */
export function klRows(student: Rows, teacher: Rows): number {
  return mean(student.map((z, i) => kl(softmax(teacher[i]!), softmax(z))));
}

/** Batch-mean cross-entropy with class-index labels. */
export function ceRows(z: Rows, labels: readonly number[]): number {
  return mean(z.map((row, i) => -Math.log(softmax(row)[labels[i]!]!)));
}

/** z0 = Σ_s softmax(α)_s z_s. */
export function ensembleRows(alpha: readonly number[], zs: readonly Rows[]): Rows {
  const w = softmax(alpha);
  return zs[0]!.map((row, i) => row.map((_, c) => zs.reduce((acc, z, s) => acc + w[s]! * z[i]![c]!, 0)));
}

/** Central finite differences of f at x (float64). */
export function finiteDiff(f: (x: number[]) => number, x: readonly number[], h = 1e-5): number[] {
  return x.map((_, k) => {
    const up = [...x];
    const down = [...x];
    up[k]! += h;
    down[k]! -= h;
    return (f(up) - f(down)) / (2 * h);
  });
}

/** A deterministic spread of values in roughly [-2, 2), exactly representable in float32. */
export function fixture(rows: number, cols: number, seed: number): Rows {
  let s = seed >>> 0;
  return Array.from({ length: rows }, () =>
    Array.from({ length: cols }, () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return Math.fround((s / 2 ** 32) * 4 - 2);
    }),
  );
}

export function rows(t: tf.Tensor): Rows {
  return t.arraySync() as Rows;
}

/** Stated tolerance of every gradient comparison: max |g − g_ref| ≤ 1e-4 · (1 + max |g_ref|). */
export function expectClose(actual: ArrayLike<number> | Rows, expected: ArrayLike<number> | Rows, tol = 1e-4): void {
  const a = Array.from(actual as ArrayLike<number | number[]>).flat() as number[];
  const e = Array.from(expected as ArrayLike<number | number[]>).flat() as number[];
  expect(a.length).toBe(e.length);
  const scale = 1 + Math.max(0, ...e.map(Math.abs));
  const err = Math.max(0, ...a.map((v, i) => Math.abs(v - e[i]!)));
  expect(err).toBeLessThanOrEqual(tol * scale);
}

export function expectAllZero(t: tf.Tensor): void {
  expect(Array.from(t.dataSync()).every((v) => v === 0)).toBe(true);
}

export { expectNoLeak } from '@adaptnet/testing';
