import { createBackbone } from '@adaptnet/backbones';
import type { SubnetConfig } from '@adaptnet/core';
import { calibrate } from '@adaptnet/norm';
import { fixture, testBackends, useBackend } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareSubnet } from '../src/index.js';
import { CASES, MAIN_JOB_GRID, MAIN_JOB_OPTIONS, nonTrivialBatchNorm, relativeError } from './helpers/backbones.js';

/**
 * Folding reassociates float32 arithmetic: conv(x, W·s) + (β − μ·s) instead of (conv(x, W) − μ)·s + β,
 * and the fused kernels add the bias and clamp in another order. Each layer then differs from the
 * plain forward by a few float32 roundings (~1e-7 relative), growing with depth; 1e-4 of the largest
 * logit leaves room for ResNet-50's 53 layers while a wrong slice, fold or padding (errors of order 1)
 * fails by orders of magnitude.
 */
const TOLERANCE = 1e-4;

let backends: string[] = [];
const worst = new Map<string, number>();
beforeAll(async () => {
  backends = await testBackends();
});
afterAll(async () => {
  // The measured errors, for the record (vitest prints console output of passing tests with --reporter=verbose).
  console.info(`[prepared] max relative error by backend: ${JSON.stringify(Object.fromEntries(worst))}`);
  await useBackend('cpu');
});

function record(backend: string, err: number): void {
  worst.set(backend, Math.max(worst.get(backend) ?? 0, err));
}

/** The prepared logits against the plain adaptive forward at every configuration, on every backend. */
function compareAll(
  model: ReturnType<typeof createBackbone>,
  configs: readonly SubnetConfig[],
  inChannels: number,
  backend: string,
  batch = 2,
): void {
  for (const config of configs) {
    const x = fixture([batch, config.resolution, config.resolution, inChannels], 5);
    const want = model.forward(x, { config, training: false });
    const prepared = prepareSubnet(model, config);
    const got = prepared.predict(x);
    const err = relativeError(got, want);
    record(backend, err);
    expect(err, `${model.name} ${JSON.stringify(config)} on ${backend}`).toBeLessThan(TOLERANCE);
    tf.dispose([x, want, got]);
    prepared.dispose();
  }
}

describe('prepared inference equals the plain adaptive forward', () => {
  it('the main job net (Fashion-MNIST MobileNetV1), calibrated: all 28 configurations of its query-table grid on wasm and native, the 4 corners on cpu', async () => {
    expect(backends).toContain('wasm');
    const model = createBackbone('mobilenet-v1', { ...MAIN_JOB_OPTIONS, seed: 2 });
    nonTrivialBatchNorm(model, [], 4);
    // Calibrated on the fastest backend here (tfjs's cpu kernels are plain JavaScript).
    await useBackend(backends.at(-1) as string);
    const images = (config: SubnetConfig) => [fixture([8, config.resolution, config.resolution, 1], 11)];
    await calibrate(model, images, MAIN_JOB_GRID, { samples: 8, disposeBatches: true });
    const corners = MAIN_JOB_GRID.filter((c) => [0.25, 1].includes(c.width) && [16, 28].includes(c.resolution));
    expect(corners.length).toBe(4);
    for (const backend of backends) {
      await useBackend(backend);
      compareAll(model, backend === 'cpu' ? corners : MAIN_JOB_GRID, 1, backend, 1);
    }
    await useBackend('cpu');
    model.dispose();
  });

  for (const { name, options, configs } of CASES) {
    it(`${name} at ${configs.length} configuration(s) on every backend`, async () => {
      const model = createBackbone(name, { numClasses: 6, seed: 1, ...options });
      nonTrivialBatchNorm(model, configs, 3);
      for (const backend of backends) {
        await useBackend(backend);
        compareAll(model, configs, 3, backend);
      }
      await useBackend('cpu');
      model.dispose();
    });
  }

  it('a resizable network with feature-map scales (bilinear resizes in the prepared path)', async () => {
    const configs: SubnetConfig[] = [
      { width: 1, resolution: 16, scales: [0.5, 1] },
      { width: 0.5, resolution: 16, scales: [0.75, 0.5] },
      { width: 0.5, resolution: 16, scales: [1, 1] },
    ];
    const model = createBackbone('mobilenet-v1', {
      input: 'small',
      numClasses: 4,
      stemChannels: 8,
      blocks: [
        [16, 1],
        [16, 2],
        [24, 1],
      ],
      resizable: true,
      norm: { configs },
    });
    expect(model.resizes.length).toBe(2);
    nonTrivialBatchNorm(model, configs, 6);
    for (const backend of backends) {
      await useBackend(backend);
      compareAll(model, configs, 3, backend);
    }
    await useBackend('cpu');
    model.dispose();
  });
});
