import { initBackend } from '@adaptnet/core/node';
import { expectNoLeak } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { bceWithLogits, detectionLossParts, giouLoss, sigmoidFocalLoss } from '../src/index.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
});

const value = (t: tf.Tensor): number => {
  const v = t.dataSync()[0] as number;
  t.dispose();
  return v;
};

describe('sigmoid focal loss, hand-computed', () => {
  it('x = 0, y = 1: α (1 − ½)² ln 2 = 0.0625 ln 2', () => {
    expect(value(sigmoidFocalLoss(tf.tensor1d([0]), tf.tensor1d([1])))).toBeCloseTo(0.04332169878499658, 6);
  });
  it('x = 2, y = 0: (1 − α) σ(2)² softplus(2)', () => {
    expect(value(sigmoidFocalLoss(tf.tensor1d([2]), tf.tensor1d([0])))).toBeCloseTo(1.2375586345660565, 5);
  });
  it('x = −1.5, y = 1 with α = 0.25, γ = 2, summed with the cases above', () => {
    const v = value(sigmoidFocalLoss(tf.tensor1d([0, 2, -1.5]), tf.tensor1d([1, 0, 1])));
    expect(v).toBeCloseTo(
      0.04332169878499658 + 1.2375586345660565 + 0.25 * (1 - 1 / (1 + Math.exp(1.5))) ** 2 * Math.log1p(Math.exp(1.5)),
      5,
    );
  });
  it('γ = 0, α = 0.5 is half the binary cross-entropy', () => {
    const x = tf.tensor1d([-3, -0.2, 0.7, 4]);
    const y = tf.tensor1d([0, 1, 0, 1]);
    const bce = [Math.log1p(Math.exp(-3)), Math.log1p(Math.exp(0.2)), Math.log1p(Math.exp(0.7)), Math.log1p(Math.exp(-4))];
    expect(value(sigmoidFocalLoss(x, y, { alpha: 0.5, gamma: 0 }))).toBeCloseTo(0.5 * bce.reduce((a, b) => a + b), 5);
  });
  it('BCE with logits stays finite at |x| = 100', () => {
    const v = bceWithLogits(tf.tensor1d([100, -100]), tf.tensor1d([0, 1]));
    expect(Array.from(v.dataSync())).toEqual([100, 100]);
    v.dispose();
  });
});

describe('GIoU loss of boxes sharing a point, hand-computed', () => {
  it('identical boxes: 0; a box twice the size: 1 − 1/4; a hand-worked partial overlap: 0.95', () => {
    const pred = tf.tensor2d([
      [1, 1, 1, 1],
      [2, 2, 2, 2],
      [1, 0.5, 3, 1],
    ]);
    const target = tf.tensor2d([
      [1, 1, 1, 1],
      [1, 1, 1, 1],
      [2, 1, 1, 2],
    ]);
    const l = giouLoss(pred, target);
    // Third row: pred x∈[−1,3], y∈[−0.5,1]; target x∈[−2,1], y∈[−1,2]; inter 2·1.5 = 3, union 6 + 9 − 3 = 12,
    // enclosing 5·3 = 15: GIoU = 3/12 − (15 − 12)/15 = 0.05.
    const v = Array.from(l.dataSync());
    expect(v[0]).toBeCloseTo(0, 5);
    expect(v[1]).toBeCloseTo(0.75, 5);
    expect(v[2]).toBeCloseTo(0.95, 5);
    tf.dispose([pred, target, l]);
  });

  it('gradient matches central finite differences (float64 reference)', () => {
    const p = [1.3, 0.6, 2.1, 0.9];
    const t = [2, 1, 1, 2];
    const f64 = (q: number[]): number => {
      const [pl, pt, pr, pb] = q as [number, number, number, number];
      const [tl, tt, tr, tb] = t as [number, number, number, number];
      const inter = (Math.min(pl, tl) + Math.min(pr, tr)) * (Math.min(pt, tt) + Math.min(pb, tb));
      const union = (pl + pr) * (pt + pb) + (tl + tr) * (tt + tb) - inter;
      const c = (Math.max(pl, tl) + Math.max(pr, tr)) * (Math.max(pt, tt) + Math.max(pb, tb));
      return 1 - (inter / union - (c - union) / c);
    };
    const g = tf.grad((x: tf.Tensor) => tf.sum(giouLoss(x as tf.Tensor2D, tf.tensor2d([t]))))(tf.tensor2d([p]));
    const got = Array.from(g.dataSync());
    g.dispose();
    const h = 1e-6;
    p.forEach((_, i) => {
      const up = [...p];
      const down = [...p];
      up[i] = (up[i] as number) + h;
      down[i] = (down[i] as number) - h;
      expect(got[i]).toBeCloseTo((f64(up) - f64(down)) / (2 * h), 4);
    });
  });
});

describe('detection loss', () => {
  it('one positive and one background point: focal/#pos + GIoU + centre-ness BCE by hand', () => {
    // K = 1; rows: [cls, l, t, r, b, ctr]
    const out = tf.tensor3d([
      [
        [0, 1, 1, 1, 1, 0],
        [0, 1, 1, 1, 1, 0],
      ],
    ]);
    const parts = detectionLossParts(
      out,
      [{ labels: new Int32Array([0, -1]), ltrb: new Float32Array([2, 2, 2, 2, 0, 0, 0, 0]), centerness: new Float32Array([1, 0]) }],
      1,
    );
    const ln2 = Math.log(2);
    expect(value(parts.classification)).toBeCloseTo(0.0625 * ln2 + 0.1875 * ln2, 5);
    expect(value(parts.regression)).toBeCloseTo(0.75, 5);
    expect(value(parts.centerness)).toBeCloseTo(ln2, 5);
    expect(value(parts.total)).toBeCloseTo(0.25 * ln2 + 0.75 + ln2, 5);
    out.dispose();
  });

  it('no positives: only the classification term, normalised by 1; no leaked tensors', () => {
    const out = tf.zeros([2, 3, 7]);
    const targets = [0, 1].map(() => ({ labels: new Int32Array(3).fill(-1), ltrb: new Float32Array(12), centerness: new Float32Array(3) }));
    expectNoLeak(() => {
      const p = detectionLossParts(out, targets, 2);
      expect(p.regression.dataSync()[0]).toBe(0);
      return [p.total, p.classification, p.regression, p.centerness];
    }, 3);
    out.dispose();
  });
});
