import '../src/node.js';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SWISH_GRAD_KERNEL, SWISH_KERNEL, swish } from '../src/ops/swish.js';
import { testBackends } from './helpers/backends.js';
import { expectMatchesFiniteDifferences, type GradCase } from './helpers/grad-check.js';

/** x·σ(x) in float64, from its definition. */
const swishRef = ([x]: Float64Array[]): Float64Array => (x as Float64Array).map((v) => v / (1 + Math.exp(-v)));

const swishCase = (shape: number[], scale = 1): GradCase => {
  const n = shape.reduce((a, b) => a * b, 1);
  // Exactly representable in float32, spread over [-4·scale, 4·scale] (both tails of σ).
  const x = Float64Array.from({ length: n }, (_, i) => Math.fround((((i * 37) % 61) / 30 - 1) * 4 * scale));
  return { name: `swish ${shape}`, shapes: [shape], inputs: [x], outShape: shape, tfFn: (t) => swish(t), refFn: swishRef };
};

const BACKENDS = await testBackends();

describe.each(BACKENDS)('swish on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
  });

  it.each([[[7]], [[2, 3, 4, 5]], [[2, 3, 2, 2, 6]]])('%j: values and gradient match float64 finite differences', (shape) => {
    const c = swishCase(shape);
    expectMatchesFiniteDifferences(c);
  });

  it('stays finite and exact in the tails (|x| up to 100)', () => {
    const x = tf.tensor1d([-100, -30, 30, 100]);
    const [y, dx] = tf.tidy(
      () =>
        [
          swish(x).dataSync(),
          tf
            .grad((t: tf.Tensor) => tf.sum(swish(t)))(x)
            .dataSync(),
        ] as const,
    );
    expect(Array.from(y)).toEqual([expect.closeTo(0, 12), expect.closeTo(-2.8e-12, 12), 30, 100]);
    expect(Array.from(dx).every(Number.isFinite)).toBe(true);
    expect(dx[3]).toBeCloseTo(1, 6);
    x.dispose();
  });
});

describe.runIf(BACKENDS.includes('native'))('native swish kernels', () => {
  it('are registered, and equal the composed cpu form (values and gradient) on a video-sized tensor', async () => {
    expect(tf.getKernel(SWISH_KERNEL, 'native')).toBeDefined();
    expect(tf.getKernel(SWISH_GRAD_KERNEL, 'native')).toBeDefined();
    const shape = [2, 4, 9, 9, 27];
    const n = shape.reduce((a, b) => a * b, 1);
    const xs = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 6);
    const dys = Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.11));
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor(xs, shape);
        const dy = tf.tensor(dys, shape);
        const g = tf.grad((t: tf.Tensor) => swish(t))(x, dy);
        return [swish(x).dataSync(), g.dataSync()] as const;
      });
    };
    const [yc, gc] = await run('cpu');
    const [yn, gn] = await run('native');
    let ey = 0;
    let eg = 0;
    for (let i = 0; i < n; i++) {
      ey = Math.max(ey, Math.abs((yn[i] as number) - (yc[i] as number)));
      eg = Math.max(eg, Math.abs((gn[i] as number) - (gc[i] as number)));
    }
    expect(ey).toBeLessThan(1e-5);
    expect(eg).toBeLessThan(1e-5);
  });
});
