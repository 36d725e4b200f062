import { ConfigError, ShapeError } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy, softCrossEntropy } from '../src/index.js';
import { ceRows, expectAllZero, expectClose, expectNoLeak, fixture, softmax } from './helpers/reference.js';
import { useCpu } from './helpers/setup.js';

beforeAll(useCpu);

const LN3 = Math.log(3);
const value = (t: tf.Scalar): number => {
  const v = t.dataSync()[0] as number;
  t.dispose();
  return v;
};

describe('crossEntropy', () => {
  it('equals hand-computed values', () => {
    // softmax([0, ln 3]) = [1/4, 3/4]: −ln(1/4) = ln 4 = 1.3862944; −ln(3/4) = 0.2876821.
    const z = tf.tensor2d([
      [0, LN3],
      [0, LN3],
    ]);
    expect(value(crossEntropy(tf.slice(z, [0, 0], [1, 2]), tf.tensor1d([0], 'int32')))).toBeCloseTo(1.3862944, 5);
    // Batch mean of the two rows, labels 0 and 1: (1.3862944 + 0.2876821) / 2 = 0.8369882.
    expect(value(crossEntropy(z, tf.tensor1d([0, 1], 'int32')))).toBeCloseTo(0.8369882, 5);
    // ε = 0.2, C = 2: target [0.9, 0.1] → 0.9·ln 4 + 0.1·ln(4/3) = 1.2764331;
    // target [0.1, 0.9] → 0.1·ln 4 + 0.9·ln(4/3) = 0.3975433; mean 0.8369882 (as without smoothing: C = 2, symmetric rows).
    expect(value(crossEntropy(tf.tensor2d([[0, LN3]]), tf.tensor1d([0], 'int32'), { labelSmoothing: 0.2 }))).toBeCloseTo(1.2764331, 5);
    expect(value(crossEntropy(tf.tensor2d([[0, LN3]]), tf.tensor1d([1], 'int32'), { labelSmoothing: 0.2 }))).toBeCloseTo(0.3975433, 5);
    // ε = 1: uniform target [1/2, 1/2] whatever the label: (ln 4 + ln(4/3)) / 2 = 0.8369882.
    expect(value(crossEntropy(tf.tensor2d([[0, LN3]]), tf.tensor1d([1], 'int32'), { labelSmoothing: 1 }))).toBeCloseTo(0.8369882, 5);
  });

  it('is numerically stable for huge logits (log-softmax)', () => {
    // softmax([1000, 0]) underflows for class 1 if computed naively; −log p_1 = 1000 exactly.
    expect(value(crossEntropy(tf.tensor2d([[1000, 0]]), tf.tensor1d([1], 'int32')))).toBeCloseTo(1000, 3);
    expect(value(crossEntropy(tf.tensor2d([[-1000, 1000]]), tf.tensor1d([0], 'int32')))).toBeCloseTo(2000, 3);
    expect(value(crossEntropy(tf.tensor2d([[1000, 0]]), tf.tensor1d([0], 'int32')))).toBeCloseTo(0, 6);
  });

  it('matches the float64 reference on random logits, and its gradient is (softmax − q) / N', () => {
    const zr = fixture(6, 5, 1);
    const labels = [0, 4, 2, 2, 1, 3];
    const z = tf.tensor2d(zr);
    const y = tf.tensor1d(labels, 'int32');
    expect(value(crossEntropy(z, y))).toBeCloseTo(ceRows(zr, labels), 5);
    const eps = 0.1;
    const g = tf.grad((x: tf.Tensor) => crossEntropy(x, y, { labelSmoothing: eps }))(z);
    const expected = zr.map((row, i) => softmax(row).map((p, c) => (p - ((c === labels[i] ? 1 - eps : 0) + eps / 5)) / 6));
    expectClose(g.arraySync() as number[][], expected);
    tf.dispose([z, y, g]);
  });

  it('takes dense-prediction logits (classes last), averaging over every position', () => {
    const zr = fixture(8, 3, 2);
    const labels = [0, 1, 2, 0, 1, 2, 2, 1];
    const flat = value(crossEntropy(tf.tensor2d(zr), tf.tensor1d(labels, 'int32')));
    const dense = value(crossEntropy(tf.tensor4d(zr.flat(), [2, 2, 2, 3]), tf.tensor3d(labels, [2, 2, 2], 'int32')));
    expect(dense).toBeCloseTo(flat, 6);
  });

  it('rejects bad options and shapes with named errors', () => {
    const z = tf.zeros([2, 3]);
    expect(() => crossEntropy(z, tf.tensor1d([0, 1], 'int32'), { labelSmoothing: 1.5 })).toThrow(ConfigError);
    expect(() => crossEntropy(z, tf.tensor1d([0, 1], 'int32'), { labelSmoothing: -0.1 })).toThrow(
      /labelSmoothing must be in \[0, 1\], got -0.1/,
    );
    expect(() => crossEntropy(z, tf.tensor1d([0, 1, 2], 'int32'))).toThrow(ShapeError);
    expect(() => crossEntropy(z, tf.tensor1d([0, 1, 2], 'int32'))).toThrow(/labels have shape \[3\], expected \[2\]/);
    expect(() => crossEntropy(tf.zeros([3]), tf.scalar(0, 'int32'))).toThrow(/rank >= 2/);
  });

  it('leaks no tensors', () => {
    const z = tf.tensor2d(fixture(4, 3, 3));
    const y = tf.tensor1d([0, 1, 2, 1], 'int32');
    expectNoLeak(() => crossEntropy(z, y, { labelSmoothing: 0.1 }), 100);
    expectNoLeak(() => tf.grad((x: tf.Tensor) => crossEntropy(x, y))(z), 50);
  });
});

describe('softCrossEntropy', () => {
  it('equals hand-computed values and reduces to crossEntropy for one-hot targets', () => {
    // −(½ ln ¼ + ½ ln ¾) = (ln 4 + ln(4/3)) / 2 = 0.8369882.
    expect(value(softCrossEntropy(tf.tensor2d([[0, LN3]]), tf.tensor2d([[0.5, 0.5]])))).toBeCloseTo(0.8369882, 5);
    const zr = fixture(5, 4, 4);
    const labels = [3, 0, 1, 1, 2];
    const z = tf.tensor2d(zr);
    const hard = value(crossEntropy(z, tf.tensor1d(labels, 'int32')));
    expect(value(softCrossEntropy(z, tf.oneHot(tf.tensor1d(labels, 'int32'), 4)))).toBeCloseTo(hard, 6);
  });

  it('the targets receive no gradient', () => {
    const z = tf.tensor2d(fixture(3, 4, 5));
    const q = tf.softmax(tf.tensor2d(fixture(3, 4, 6)));
    const [gz, gq] = tf.grads((a: tf.Tensor, b: tf.Tensor) => softCrossEntropy(a, b))([z, q]);
    expectAllZero(gq!);
    expect(Array.from(gz!.dataSync()).some((v) => v !== 0)).toBe(true);
    tf.dispose([z, q, gz!, gq!]);
  });

  it('leaks no tensors', () => {
    const z = tf.tensor2d(fixture(4, 3, 7));
    const q = tf.softmax(tf.tensor2d(fixture(4, 3, 8)));
    expectNoLeak(() => softCrossEntropy(z, q), 100);
  });
});
