import { ConfigError, ShapeError } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { detach, klDistill } from '../src/index.js';
import { expectAllZero, expectClose, expectNoLeak, finiteDiff, fixture, klRows, softmax } from './helpers/reference.js';
import { useCpu } from './helpers/setup.js';

beforeAll(useCpu);

const LN3 = Math.log(3);
const value = (t: tf.Scalar): number => {
  const v = t.dataSync()[0] as number;
  t.dispose();
  return v;
};

describe('klDistill', () => {
  it('equals hand-computed KL(p_teacher ‖ p_student)', () => {
    const uniform = tf.tensor2d([[0, 0]]); // p = [1/2, 1/2]
    const skewed = tf.tensor2d([[0, LN3]]); // p = [1/4, 3/4]
    // KL([½, ½] ‖ [¼, ¾]) = ½ ln 2 + ½ ln(2/3) = ½ ln(4/3) = 0.1438410.
    expect(value(klDistill(skewed, uniform))).toBeCloseTo(0.143841, 5);
    // KL([¼, ¾] ‖ [½, ½]) = ¼ ln ½ + ¾ ln(3/2) = 0.1308120: the teacher is the second argument.
    expect(value(klDistill(uniform, skewed))).toBeCloseTo(0.130812, 5);
    // Batch mean of both rows: (0.1438410 + 0.1308120) / 2 = 0.1373265.
    const students = tf.tensor2d([
      [0, LN3],
      [0, 0],
    ]);
    const teachers = tf.tensor2d([
      [0, 0],
      [0, LN3],
    ]);
    expect(value(klDistill(students, teachers))).toBeCloseTo(0.1373265, 5);
    expect(value(klDistill(skewed, skewed))).toBeCloseTo(0, 6);
  });

  it('applies the temperature to both sides, scaled by T² unless asked not to', () => {
    // T = 2: teacher [0, 2 ln 3] / 2 → [¼, ¾]; student [0, 0] → [½, ½]; KL = 0.1308120; × T² = 0.5232481.
    const teacher = tf.tensor2d([[0, 2 * LN3]]);
    const student = tf.tensor2d([[0, 0]]);
    expect(value(klDistill(student, teacher, { temperature: 2 }))).toBeCloseTo(0.5232481, 5);
    expect(value(klDistill(student, teacher, { temperature: 2, scaleByTemperatureSquared: false }))).toBeCloseTo(0.130812, 5);
  });

  it('matches the float64 reference on random logits', () => {
    const s = fixture(7, 6, 11);
    const t = fixture(7, 6, 12);
    expect(value(klDistill(tf.tensor2d(s), tf.tensor2d(t)))).toBeCloseTo(klRows(s, t), 5);
  });

  it('sends no gradient to the teacher; the student gets (q − p) / N, as finite differences say', () => {
    const sr = fixture(4, 5, 13);
    const tr = fixture(4, 5, 14);
    const s = tf.tensor2d(sr);
    const t = tf.tensor2d(tr);
    const [gs, gt] = tf.grads((a: tf.Tensor, b: tf.Tensor) => klDistill(a, b))([s, t]);
    expectAllZero(gt!);
    const analytic = sr.map((row, i) => softmax(row).map((q, c) => (q - softmax(tr[i]!)[c]!) / 4));
    expectClose(gs!.arraySync() as number[][], analytic);
    const fd = finiteDiff(
      (flat) =>
        klRows(
          Array.from({ length: 4 }, (_, i) => flat.slice(i * 5, i * 5 + 5)),
          tr,
        ),
      sr.flat(),
    );
    expectClose(gs!.dataSync(), fd);
    // With T = 3 and T² scaling: T² · (q_T − p_T) / (T · N) = T (q_T − p_T) / N.
    const gT = tf.grad((a: tf.Tensor) => klDistill(a, t, { temperature: 3 }))(s);
    const soft = (r: number[]) => softmax(r.map((v) => v / 3));
    expectClose(
      gT.arraySync() as number[][],
      sr.map((row, i) => soft(row).map((q, c) => (3 * (q - soft(tr[i]!)[c]!)) / 4)),
    );
    tf.dispose([s, t, gs!, gt!, gT]);
  });

  it('rejects bad options and shapes with named errors', () => {
    const a = tf.zeros([2, 3]);
    expect(() => klDistill(a, a, { temperature: 0 })).toThrow(ConfigError);
    expect(() => klDistill(a, a, { temperature: -1 })).toThrow(/temperature must be a finite number > 0, got -1/);
    expect(() => klDistill(a, tf.zeros([2, 4]))).toThrow(ShapeError);
    expect(() => klDistill(a, tf.zeros([2, 4]))).toThrow(/student has shape \[2, 3\] but teacher has shape \[2, 4\]/);
  });

  it('leaks no tensors', () => {
    const s = tf.tensor2d(fixture(4, 3, 15));
    const t = tf.tensor2d(fixture(4, 3, 16));
    expectNoLeak(() => klDistill(s, t), 100);
    expectNoLeak(() => klDistill(s, t, { temperature: 4 }), 100);
    expectNoLeak(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => klDistill(a, b))([s, t]), 50);
  });
});

describe('detach', () => {
  it('passes the value and blocks the gradient', () => {
    const x = tf.tensor1d([1, -2, 3]);
    const d = detach(x);
    expect(Array.from(d.dataSync())).toEqual([1, -2, 3]);
    // d/dx Σ x · detach(x) = detach(x) = x, not 2x.
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(v, detach(v))))(x);
    expect(Array.from(g.dataSync())).toEqual([1, -2, 3]);
    const g0 = tf.grad((v: tf.Tensor) => tf.sum(tf.square(detach(v))))(x);
    expectAllZero(g0);
    expectNoLeak(() => detach(x));
    expectNoLeak(() => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(v, detach(v))))(x));
    tf.dispose([x, d, g, g0]);
  });
});
