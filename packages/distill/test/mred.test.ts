import { ConfigError, ShapeError } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy, MredEnsemble, mredPairs } from '../src/index.js';
import {
  ceRows,
  ensembleRows,
  expectAllZero,
  expectClose,
  expectNoLeak,
  finiteDiff,
  fixture,
  klRows,
  type Rows,
  softmax,
} from './helpers/reference.js';
import { useCpu } from './helpers/setup.js';

beforeAll(useCpu);

const N = 3;
const C = 4;
const LABELS = [1, 3, 0];
const made: MredEnsemble[] = [];

function ensemble(size: number, alpha?: number[]): MredEnsemble {
  const m = new MredEnsemble(size);
  if (alpha) m.alpha.assign(tf.tensor1d(alpha));
  made.push(m);
  return m;
}

afterEach(() => {
  for (const m of made.splice(0)) m.dispose();
});

const logitRows = (s: number): Rows[] => Array.from({ length: s }, (_, k) => fixture(N, C, 100 + k));
const scalar = (t: tf.Scalar): number => {
  const v = t.dataSync()[0] as number;
  t.dispose();
  return v;
};

/** Eq. 10 (full) or Eq. 8 (vanilla) in float64, pairs enumerated here, independently of mredPairs. */
function referenceDistill(alpha: number[], zs: Rows[], mode: 'full' | 'vanilla'): number {
  const all = [ensembleRows(alpha, zs), ...zs];
  const S = zs.length;
  let sum = 0;
  for (let t = 0; t <= (mode === 'full' ? S - 1 : 0); t++) for (let s = t + 1; s <= S; s++) sum += klRows(all[s]!, all[t]!);
  return mode === 'full' ? (2 / (S + 1)) * sum : sum;
}

describe('mredPairs', () => {
  it('vanilla has S pairs from the ensemble; full has S(S+1)/2 pairs t < s', () => {
    expect(mredPairs(3, 'vanilla')).toEqual([
      [0, 1],
      [0, 2],
      [0, 3],
    ]);
    expect(mredPairs(3)).toEqual([
      [0, 1],
      [0, 2],
      [0, 3],
      [1, 2],
      [1, 3],
      [2, 3],
    ]);
    for (let S = 1; S <= 8; S++) {
      const full = mredPairs(S, 'full');
      expect(full).toHaveLength((S * (S + 1)) / 2);
      expect(new Set(full.map(([t, s]) => `${t},${s}`)).size).toBe(full.length);
      expect(full.every(([t, s]) => t >= 0 && t < s && s <= S)).toBe(true);
      expect(mredPairs(S, 'vanilla')).toHaveLength(S);
    }
    expect(() => mredPairs(0)).toThrow(/integer number of resolutions >= 1, got 0/);
    expect(() => mredPairs(2, 'dense' as 'full')).toThrow(/mode 'dense' is not one of 'full', 'vanilla'/);
  });
});

describe('MredEnsemble', () => {
  it('hand-computed S = 2 case: weights, ensemble logit, L_ens, vanilla and full L_dis', () => {
    // α = 0 → weights [½, ½]; z1 = [0, 2 ln 3], z2 = [0, 0] → z0 = [0, ln 3].
    // p0 = [¼, ¾], p1 = [1/10, 9/10], p2 = [½, ½].
    const m = ensemble(2);
    const z = [tf.tensor2d([[0, 2 * Math.log(3)]]), tf.tensor2d([[0, 0]])];
    expect(Array.from(m.weights().dataSync())).toEqual([0.5, 0.5]);
    expectClose(m.ensembleLogits(z).dataSync(), [0, Math.log(3)], 1e-6);
    // L_ens = −ln ¾ = 0.2876821 for label 1.
    expect(scalar(m.ensembleLoss(z, tf.tensor1d([1], 'int32')))).toBeCloseTo(0.2876821, 5);
    // KL(p0‖p1) = ¼ ln(5/2) + ¾ ln(5/6) = 0.0923315; KL(p0‖p2) = ¼ ln ½ + ¾ ln(3/2) = 0.1308120;
    // KL(p1‖p2) = 0.1 ln 0.2 + 0.9 ln 1.8 = 0.3680642.
    // vanilla = 0.0923315 + 0.1308120 = 0.2231436; full = (2/3)(0.2231436 + 0.3680642) = 0.3941385.
    expect(scalar(m.distillLoss(z, { mode: 'vanilla' }))).toBeCloseTo(0.2231436, 5);
    expect(scalar(m.distillLoss(z))).toBeCloseTo(0.3941385, 5);
    expect(scalar(m.distillLoss(z, { mode: 'full' }))).toBeCloseTo(0.3941385, 5);
  });

  it('matches the float64 reference for S = 1..5, with the 2/(S+1) factor over S(S+1)/2 pairs', () => {
    for (let S = 1; S <= 5; S++) {
      const alpha = Array.from({ length: S }, (_, s) => 0.3 * s - 0.5);
      const m = ensemble(S, alpha);
      const zr = logitRows(S);
      const z = zr.map((r) => tf.tensor2d(r));
      const y = tf.tensor1d(LABELS, 'int32');
      expectClose(m.weights().dataSync(), softmax(alpha), 1e-6);
      expectClose(m.ensembleLogits(z).arraySync() as Rows, ensembleRows(alpha, zr), 1e-5);
      expect(scalar(m.ensembleLoss(z, y))).toBeCloseTo(ceRows(ensembleRows(alpha, zr), LABELS), 5);
      const full = scalar(m.distillLoss(z));
      const vanilla = scalar(m.distillLoss(z, { mode: 'vanilla' }));
      expect(vanilla).toBeCloseTo(referenceDistill(alpha, zr, 'vanilla'), 5);
      expect(full).toBeCloseTo(referenceDistill(alpha, zr, 'full'), 5);
      // Unscaled: the plain sum over all t < s pairs, so the factor is exactly 2/(S+1).
      const all = [ensembleRows(alpha, zr), ...zr];
      let pairSum = 0;
      let pairs = 0;
      for (let s = 1; s <= S; s++) {
        for (let t = 0; t < s; t++) {
          pairSum += klRows(all[s]!, all[t]!);
          pairs++;
        }
      }
      expect(pairs).toBe((S * (S + 1)) / 2);
      // (For S = 1 both are 0: p0 = p1.)
      if (S > 1) expect(full / pairSum).toBeCloseTo(2 / (S + 1), 4);
      // L_total = Σ_s CE(z_s, y) + L_ens + L_dis (Eq. 9).
      const cls = zr.reduce((acc, r) => acc + ceRows(r, LABELS), 0);
      expect(scalar(m.loss(z, y))).toBeCloseTo(cls + ceRows(ensembleRows(alpha, zr), LABELS) + full, 4);
      tf.dispose([...z, y]);
    }
  });

  it('S = 1 degenerates: z0 = z1, full == vanilla == KL(p1 ‖ p1) = 0, and L_ens = CE(z1, y)', () => {
    const m = ensemble(1, [0.7]);
    const z = [tf.tensor2d(fixture(N, C, 7))];
    const y = tf.tensor1d(LABELS, 'int32');
    expect(Array.from(m.weights().dataSync())).toEqual([1]);
    expect(scalar(m.distillLoss(z))).toBeCloseTo(0, 6);
    expect(scalar(m.distillLoss(z, { mode: 'vanilla' }))).toBeCloseTo(0, 6);
    expect(scalar(m.ensembleLoss(z, y))).toBeCloseTo(scalar(crossEntropy(z[0]!, y)), 6);
    const g = tf.grad((x: tf.Tensor) => m.distillLoss([x]))(z[0]!);
    expectClose(g.dataSync(), new Array<number>(N * C).fill(0), 1e-6);
    tf.dispose([...z, y, g]);
  });

  it('L_ens updates α only: the logits get exactly zero, α gets the finite-difference gradient', () => {
    const S = 3;
    const alpha = [0.2, -0.4, 0.1];
    const m = ensemble(S, alpha);
    const zr = logitRows(S);
    const z = zr.map((r) => tf.tensor2d(r));
    const y = tf.tensor1d(LABELS, 'int32');
    const { grads } = tf.variableGrads(() => m.ensembleLoss(z, y), [m.alpha]);
    const fd = finiteDiff((a) => ceRows(ensembleRows(a, zr), LABELS), alpha);
    expectClose(grads[m.alpha.name]!.dataSync(), fd);
    expect(Math.max(...fd.map(Math.abs))).toBeGreaterThan(1e-3); // a real gradient, not vacuous
    const zGrads = tf.grads((...xs: tf.Tensor[]) => m.ensembleLoss(xs, y))(z);
    for (const g of zGrads) expectAllZero(g);
    tf.dispose([...z, y, ...zGrads, ...Object.values(grads)]);
  });

  it('network parameters receive no gradient from L_ens, and α none from L_dis', () => {
    // A tiny "network": one shared weight matrix applied to three resolutions' features.
    const w = tf.variable(tf.tensor2d(fixture(5, C, 31)), true);
    const xs = [fixture(N, 5, 32), fixture(N, 5, 33), fixture(N, 5, 34)].map((r) => tf.tensor2d(r));
    const m = ensemble(3, [0.5, 0, -0.5]);
    const y = tf.tensor1d(LABELS, 'int32');
    const forward = () => xs.map((x) => tf.matMul(x, w));
    const ens = tf.variableGrads(() => m.ensembleLoss(forward(), y), [w, m.alpha]);
    expectAllZero(ens.grads[w.name]!);
    expect(Array.from(ens.grads[m.alpha.name]!.dataSync()).some((v) => v !== 0)).toBe(true);
    for (const mode of ['full', 'vanilla'] as const) {
      const dis = tf.variableGrads(() => m.distillLoss(forward(), { mode }), [w, m.alpha]);
      expectAllZero(dis.grads[m.alpha.name]!);
      expect(Array.from(dis.grads[w.name]!.dataSync()).some((v) => v !== 0)).toBe(true);
      tf.dispose([dis.value, ...Object.values(dis.grads)]);
    }
    // The whole objective: α's gradient is exactly L_ens's.
    const total = tf.variableGrads(() => m.loss(forward(), y), [w, m.alpha]);
    expectClose(total.grads[m.alpha.name]!.dataSync(), ens.grads[m.alpha.name]!.dataSync(), 1e-6);
    tf.dispose([w, ...xs, y, ens.value, total.value, ...Object.values(ens.grads), ...Object.values(total.grads)]);
  });

  it('teachers are detached: each student gets (2/(S+1)) Σ_{t<s} (p_s − p_t) / N (full), (p_s − p0) / N (vanilla)', () => {
    const S = 4;
    const alpha = [0.4, 0.1, -0.2, -0.6];
    const m = ensemble(S, alpha);
    const zr = logitRows(S);
    const p = [ensembleRows(alpha, zr), ...zr].map((rows) => rows.map((r) => softmax(r)));
    const z = zr.map((r) => tf.tensor2d(r));
    const full = tf.grads((...xs: tf.Tensor[]) => m.distillLoss(xs))(z);
    const vanilla = tf.grads((...xs: tf.Tensor[]) => m.distillLoss(xs, { mode: 'vanilla' }))(z);
    for (let s = 1; s <= S; s++) {
      const expectedFull = p[s]!.map((row, i) =>
        row.map((ps, c) => {
          let acc = 0;
          for (let t = 0; t < s; t++) acc += ps - p[t]![i]![c]!;
          return ((2 / (S + 1)) * acc) / N;
        }),
      );
      expectClose(full[s - 1]!.arraySync() as Rows, expectedFull);
      const expectedVanilla = p[s]!.map((row, i) => row.map((ps, c) => (ps - p[0]![i]![c]!) / N));
      expectClose(vanilla[s - 1]!.arraySync() as Rows, expectedVanilla);
    }
    tf.dispose([...z, ...full, ...vanilla]);
  });

  it('softmax(α) stays on the simplex under optimizer steps and learns to favour the better resolution', () => {
    const m = ensemble(3);
    const y = tf.tensor1d([0, 1, 2, 3, 0, 1], 'int32');
    // Resolution 1 predicts the label with a margin; 2 is noise; 3 is confidently wrong.
    const good = tf.mul(tf.oneHot(y, C), 3);
    const noise = tf.tensor2d(fixture(6, C, 41));
    const wrong = tf.mul(tf.oneHot(tf.tensor1d([1, 2, 3, 0, 1, 2], 'int32'), C), 3);
    const z = [good, noise, wrong];
    const opt = tf.train.adam(0.1);
    const first = scalar(m.ensembleLoss(z, y));
    for (let step = 0; step < 60; step++) {
      opt.minimize(() => m.ensembleLoss(z, y), false, [m.alpha]);
      const w = Array.from(m.weights().dataSync());
      expect(w.every((v) => v >= 0)).toBe(true);
      expect(Math.abs(w.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-6);
    }
    const w = Array.from(m.weights().dataSync());
    expect(w[0]).toBeGreaterThan(0.9);
    expect(scalar(m.ensembleLoss(z, y))).toBeLessThan(first / 2);
    opt.dispose();
    tf.dispose([y, ...z]);
  });

  it('rejects bad sizes, modes and logits with named errors', () => {
    expect(() => new MredEnsemble(0)).toThrow(ConfigError);
    expect(() => new MredEnsemble(2.5)).toThrow(/integer number of resolutions >= 1, got 2.5/);
    const m = ensemble(2);
    const a = tf.zeros([2, 3]);
    expect(() => m.ensembleLogits([a])).toThrow(ShapeError);
    expect(() => m.ensembleLogits([a])).toThrow(/needs 2 logits tensors \(largest resolution first\), got 1/);
    expect(() => m.distillLoss([a, tf.zeros([2, 4])])).toThrow(/logits\[1\] has shape \[2, 4\] but logits\[0\] has shape \[2, 3\]/);
    expect(() => m.distillLoss([a, a], { mode: 'dense' as 'full' })).toThrow(/mode 'dense' is not one of 'full', 'vanilla'/);
    expect(() => m.ensembleLogits([tf.zeros([3]), tf.zeros([3])])).toThrow(/rank >= 2/);
  });

  it('leaks no tensors', () => {
    const m = ensemble(3, [0.1, 0.2, 0.3]);
    const z = logitRows(3).map((r) => tf.tensor2d(r));
    const y = tf.tensor1d(LABELS, 'int32');
    expectNoLeak(() => m.weights());
    expectNoLeak(() => m.ensembleLogits(z));
    expectNoLeak(() => m.ensembleLoss(z, y));
    expectNoLeak(() => m.distillLoss(z));
    expectNoLeak(() => m.distillLoss(z, { mode: 'vanilla', temperature: 2 }));
    expectNoLeak(() => m.loss(z, y, { labelSmoothing: 0.1 }));
    expectNoLeak(() => {
      const { value, grads } = tf.variableGrads(() => m.loss(z, y), [m.alpha]);
      return [value, ...Object.values(grads)];
    }, 30);
    const before = tf.memory().numTensors;
    ensemble(2).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...z, y]);
  });
});
