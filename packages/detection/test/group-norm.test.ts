import { expectClose, expectNoLeak, testBackends, useBackend } from '@adaptnet/testing';
import { mulberry32 } from '@adaptnet/testing/node';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { GroupNorm } from '../src/index.js';

/**
 * GroupNorm written out with loops in float64, straight from the definition: per image and group,
 * mean and (biased) variance over H, W and the group's channels; y = γ (x − μ)/√(σ² + ε) + β.
 */
function reference(
  x: Float64Array,
  shape: readonly number[],
  groups: number,
  gamma: Float64Array,
  beta: Float64Array,
  eps: number,
): Float64Array {
  const [n, h, w, c] = shape as [number, number, number, number];
  const size = c / groups;
  const y = new Float64Array(x.length);
  for (let b = 0; b < n; b++)
    for (let g = 0; g < groups; g++) {
      const at = (p: number, k: number) => (b * h * w + p) * c + g * size + k;
      let sum = 0;
      for (let p = 0; p < h * w; p++) for (let k = 0; k < size; k++) sum += x[at(p, k)] as number;
      const mean = sum / (h * w * size);
      let sq = 0;
      for (let p = 0; p < h * w; p++) for (let k = 0; k < size; k++) sq += ((x[at(p, k)] as number) - mean) ** 2;
      const inv = 1 / Math.sqrt(sq / (h * w * size) + eps);
      for (let p = 0; p < h * w; p++)
        for (let k = 0; k < size; k++) {
          const i = at(p, k);
          y[i] = (gamma[g * size + k] as number) * ((x[i] as number) - mean) * inv + (beta[g * size + k] as number);
        }
    }
  return y;
}

const ctx = { config: { width: 1, resolution: 8 }, training: true };

function setup(shape: [number, number, number, number], groups: number, seed: number) {
  const rnd = mulberry32(seed);
  const c = shape[3];
  const norm = new GroupNorm('gn', c, groups);
  // Non-zero means per channel, so centring matters.
  const x = Float64Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => 2 * rnd() - 1 + (i % c) * 0.3);
  const gamma = Float64Array.from({ length: c }, () => 0.5 + rnd());
  const beta = Float64Array.from({ length: c }, () => rnd() - 0.5);
  const weights = Float64Array.from({ length: x.length }, () => 2 * rnd() - 1);
  norm.gamma.assign(tf.tensor1d(Float32Array.from(gamma)));
  norm.beta.assign(tf.tensor1d(Float32Array.from(beta)));
  return { norm, x, gamma, beta, weights };
}

/** Σ weights · GroupNorm(x) in float64: the scalar whose gradients are checked. */
const objective = (y: Float64Array, weights: Float64Array) => y.reduce((a, v, i) => a + v * (weights[i] as number), 0);

/** Central differences of `f` at every entry of `v` (float64, step h). */
function finiteDifferences(v: Float64Array, f: () => number, h = 1e-5): Float64Array {
  return Float64Array.from(v, (_, i) => {
    const keep = v[i] as number;
    v[i] = keep + h;
    const up = f();
    v[i] = keep - h;
    const down = f();
    v[i] = keep;
    return (up - down) / (2 * h);
  });
}

let backends: string[] = [];
beforeAll(async () => {
  backends = await testBackends();
});

describe('GroupNorm against a float64 loop reference', () => {
  for (const [shape, groups] of [
    [[2, 3, 5, 8], 4],
    [[1, 4, 4, 6], 2],
    [[3, 2, 1, 4], 4],
    [[2, 1, 3, 4], 1],
  ] as [[number, number, number, number], number][]) {
    it(`forward and gradients (x, γ, β) on [${shape}] with ${groups} groups, on every backend`, async () => {
      for (const b of backends) {
        await useBackend(b);
        const { norm, x, gamma, beta, weights } = setup(shape, groups, 7 + groups);
        const eps = norm.epsilon;
        const ref = () => objective(reference(x, shape, groups, gamma, beta, eps), weights);
        const xt = tf.tensor4d(Float32Array.from(x), shape);
        const wt = tf.tensor4d(Float32Array.from(weights), shape);
        const y = norm.forward(xt, ctx);
        expectClose(y.dataSync(), reference(x, shape, groups, gamma, beta, eps), 2e-5);
        const f = (t: tf.Tensor) => tf.sum(tf.mul(norm.forward(t, ctx), wt)) as tf.Scalar;
        const gx = tf.grad(f)(xt);
        const { grads } = tf.variableGrads(() => f(xt), [norm.gamma, norm.beta]);
        expectClose(gx.dataSync(), finiteDifferences(x, ref), 2e-4);
        expectClose((grads[norm.gamma.name] as tf.Tensor).dataSync(), finiteDifferences(gamma, ref), 2e-4);
        expectClose((grads[norm.beta.name] as tf.Tensor).dataSync(), finiteDifferences(beta, ref), 2e-4);
        tf.dispose([xt, wt, y, gx, ...Object.values(grads)]);
        norm.dispose();
      }
      await useBackend('cpu');
    });
  }

  it('normalises each image and group to mean β, spread γ (constant γ, β), independent of the rest of the batch', () => {
    const norm = new GroupNorm('gn', 8, 2);
    const a = tf.randomNormal([1, 4, 4, 8], 3, 2, 'float32', 1);
    const b = tf.randomNormal([1, 4, 4, 8], -1, 5, 'float32', 2);
    const alone = norm.forward(a, ctx);
    const both = norm.forward(tf.concat([a, b]), ctx);
    expectClose(tf.slice(both, [0, 0, 0, 0], [1, 4, 4, 8]), alone, 1e-5);
    const g = tf.reshape(alone, [16, 2, 4]);
    const { mean, variance } = tf.moments(tf.transpose(g, [1, 0, 2]), [1, 2]);
    expectClose(mean, [0, 0], 1e-5);
    expectClose(variance, [1, 1], 1e-3);
    tf.dispose([a, b, alone, both, g, mean, variance]);
    norm.dispose();
  });

  it('refuses a channel count it was not built for, and does not leak', () => {
    const norm = new GroupNorm('gn', 8, 4);
    const x = tf.zeros([1, 2, 2, 6]);
    expect(() => norm.forward(x, ctx)).toThrow(/gn: input must be \[N, H, W, 8\], got \[1, 2, 2, 6\]/);
    const ok = tf.randomNormal([2, 3, 3, 8]);
    expectNoLeak(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(norm.forward(ok, ctx)) as tf.Scalar, [norm.gamma, norm.beta]);
      return [value, ...Object.values(grads)];
    });
    tf.dispose([x, ok]);
    norm.dispose();
  });
});
