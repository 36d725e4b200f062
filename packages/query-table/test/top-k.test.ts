import { ConfigRangeError, ShapeError } from '@adaptnet/core';
import { useBackend } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { countTopK } from '../src/index.js';

beforeAll(() => useBackend('cpu'));

describe('countTopK', () => {
  it('counts a hand-computed case with ties (ties go to the lower class index) and NaN', () => {
    const N = Number.NaN;
    const logits = [
      [1, 3, 3, 0, 2, 2], // label 2: class 1 ties it from a lower index → rank 1: top-5 only
      [1, 3, 3, 0, 2, 2], // label 1: rank 0
      [0, 0, 0, 0, 0, 0], // label 5: five lower-index ties → rank 5: neither
      [0, 0, 0, 0, 0, 0], // label 4: rank 4: top-5 only
      [N, 1, 0, 0, 0, 0], // label 1: a NaN elsewhere is never higher → rank 0
      [9, N, 0, 0, 0, 0], // label 1: a NaN label logit is never correct
      [6, 5, 4, 3, 2, 1], // label 5: rank 5
    ];
    const labels = [2, 1, 5, 4, 1, 1, 5];
    expect(countTopK(logits.flat(), labels, 6)).toEqual({ top1: 2, top5: 4 });
  });

  it('agrees with tf.topk where there are no ties', () => {
    const classes = 12;
    const n = 200;
    const z = tf.randomNormal([n, classes], 0, 1, 'float32', 7);
    const labels = Int32Array.from({ length: n }, (_, i) => (i * 7) % classes);
    const { indices } = tf.topk(z, 5);
    const top = indices.arraySync() as number[][];
    const expected = {
      top1: top.filter((row, i) => row[0] === labels[i]).length,
      top5: top.filter((row, i) => row.includes(labels[i]!)).length,
    };
    expect(countTopK(z.dataSync(), labels, classes)).toEqual(expected);
    expect(expected.top1).toBeGreaterThan(0);
    tf.dispose([z, indices]);
  });

  it('counts every row as top-5 correct when there are fewer than 5 classes', () => {
    expect(countTopK([0, 1, 2, 2, 1, 0, 5, 5, 5], [0, 0, 2], 3)).toEqual({ top1: 1, top5: 3 });
  });

  it('rejects labels outside the classes and mismatched shapes', () => {
    expect(() => countTopK([0, 1, 2, 3], [0, 2], 2)).toThrow(ConfigRangeError);
    expect(() => countTopK([0, 1, 2, 3], [0, 2], 2)).toThrow(/label 2 \(sample 1 of the batch\) is outside the model's classes: \[0, 1\]/);
    expect(() => countTopK([0, 1, 2], [0, 1], 2)).toThrow(ShapeError);
  });
});
