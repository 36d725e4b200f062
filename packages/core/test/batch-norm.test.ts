import '../src/node.js';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchNormInfer, batchNormTrain, sumLeading } from '../src/ops/batch-norm.js';
import { testBackends } from './helpers/backends.js';
import { expectMatchesFiniteDifferences, type GradCase } from './helpers/grad-check.js';

/** Training-mode BN in float64, from its definition (biased batch variance). */
function bnRef(x: Float64Array, g: Float64Array, b: Float64Array, c: number, eps = 1e-5): Float64Array {
  const n = x.length / c;
  const y = new Float64Array(x.length);
  for (let ch = 0; ch < c; ch++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += x[i * c + ch]!;
    m /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (x[i * c + ch]! - m) ** 2;
    v /= n;
    for (let i = 0; i < n; i++) y[i * c + ch] = ((x[i * c + ch]! - m) / Math.sqrt(v + eps)) * g[ch]! + b[ch]!;
  }
  return y;
}

const bnCase = (shape: number[]): GradCase => {
  const c = shape[shape.length - 1]!;
  return {
    name: `batchNormTrain ${shape}`,
    shapes: [shape, [c], [c]],
    outShape: shape,
    tfFn: (x, g, b) => batchNormTrain(x, g as tf.Tensor1D, b as tf.Tensor1D).y,
    refFn: ([x, g, b]) => bnRef(x!, g!, b!, c),
  };
};

const BACKENDS = await testBackends();

describe.each(BACKENDS)('batch norm on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
  });

  it.each([[[4, 3, 5, 3]], [[2, 7, 2]], [[2, 2, 3, 2, 4]]])(
    'training BN %j: values and gradients (x, γ, β) match finite differences',
    (shape) => {
      const c = bnCase(shape);
      expectMatchesFiniteDifferences(c);
    },
  );

  it('returns the batch mean and biased variance', () => {
    tf.tidy(() => {
      const x = tf.tensor2d([1, 10, 3, 20, 8, 60], [3, 2]);
      const r = batchNormTrain(x, tf.ones([2]) as tf.Tensor1D, tf.zeros([2]) as tf.Tensor1D);
      expect(Array.from(r.mean.dataSync())).toEqual([4, 30]);
      // ((1-4)²+(3-4)²+(8-4)²)/3 = 26/3; ((10-30)²+(20-30)²+(60-30)²)/3 = 1400/3
      const v = r.variance.dataSync();
      expect(v[0]).toBeCloseTo(26 / 3, 4);
      expect(v[1]).toBeCloseTo(1400 / 3, 2);
      expect(r.count).toBe(3);
    });
  });

  it('sumLeading equals a plain sum over leading axes, for prime and composite sizes', () => {
    tf.tidy(() => {
      for (const shape of [
        [2, 3, 5, 4],
        [7, 3],
        [1, 1, 6],
      ]) {
        const x = tf.randomNormal(shape, 0, 1, 'float32', 3);
        const want = tf
          .sum(
            x,
            shape.slice(0, -1).map((_, i) => i),
          )
          .dataSync();
        const got = sumLeading(x).dataSync();
        got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 4));
      }
    });
  });

  it('inference BN applies (x − μ)/√(σ²+ε)·γ + β', () => {
    tf.tidy(() => {
      const y = batchNormInfer(
        tf.tensor2d([[3, -1]]),
        tf.tensor1d([1, 1]),
        tf.tensor1d([4 - 1e-5, 1 - 1e-5]),
        tf.tensor1d([2, 1]),
        tf.tensor1d([0.5, 0]),
      );
      const v = y.dataSync();
      expect(v[0]).toBeCloseTo(((3 - 1) / 2) * 2 + 0.5, 5);
      expect(v[1]).toBeCloseTo(-2, 5);
    });
  });
});
