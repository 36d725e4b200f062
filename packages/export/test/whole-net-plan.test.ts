import { createBackbone } from '@adaptnet/backbones';
import type { SubnetConfig } from '@adaptnet/core';
import { fixture, testBackends, useBackend } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreparedCache, prepareSubnet } from '../src/index.js';
import { CASES, nonTrivialBatchNorm, relativeError, TINY_MOBILENET_CONFIGS, TINY_MOBILENET_OPTIONS } from './helpers/backbones.js';

/** The prepared-equality tolerance (see test/prepared-equality.test.ts). */
const TOLERANCE = 1e-4;

let hasNative = false;
let planStats: () => { plans: number; bytes: number; directSteps: number; blockedSteps: number } = () => ({
  plans: 0,
  bytes: 0,
  directSteps: 0,
  blockedSteps: 0,
});
beforeAll(async () => {
  hasNative = (await testBackends()).includes('native');
  if (hasNative) {
    planStats = (await import('@adaptnet/backend-native')).nativePlanStats;
    await useBackend('native');
  }
});
afterAll(async () => {
  await useBackend('cpu');
});

async function kernelNames(f: () => tf.Tensor): Promise<string[]> {
  const info = await tf.profile(() => {
    f().dispose();
  });
  return info.kernels.map((k) => k.name);
}

const PLANNED = CASES.filter((c) => c.name !== 'shufflenet-v2');

describe('native: the whole prepared subnet as one AdaptNetRunPlan kernel', () => {
  for (const { name, options, configs } of PLANNED) {
    it(`${name}: one kernel call per forward, logits equal the adaptive forward's (batch 1 and 3)`, async (ctx) => {
      if (!hasNative) ctx.skip();
      const model = createBackbone(name, { numClasses: 6, seed: 1, ...options });
      nonTrivialBatchNorm(model, configs, 3);
      const plansBefore = planStats().plans;
      for (const config of configs) {
        const whole = prepareSubnet(model, config);
        const perLayer = prepareSubnet(model, config, { wholeNet: false });
        for (const batch of [1, 3]) {
          const x = fixture([batch, config.resolution, config.resolution, 3], 5 + batch);
          const want = model.forward(x, { config, training: false });
          const got = whole.predict(x);
          expect(relativeError(got, want), `${name} ${JSON.stringify(config)} batch ${batch}`).toBeLessThan(TOLERANCE);
          expect(await kernelNames(() => whole.predict(x))).toEqual(['AdaptNetRunPlan']);
          expect((await kernelNames(() => perLayer.predict(x))).length).toBeGreaterThan(5);
          tf.dispose([x, want, got]);
        }
        // One plan per input shape while the subnet lives; its weights' disposal frees them.
        expect(planStats().plans).toBe(plansBefore + 2);
        whole.dispose();
        perLayer.dispose();
        expect(planStats().plans).toBe(plansBefore);
      }
      model.dispose();
    });
  }

  it('resnet-18 (stem, max pool, identity and projection shortcuts, head): the plan equals the per-layer fused kernels to 1e-5', async (ctx) => {
    if (!hasNative) ctx.skip();
    const model = createBackbone('resnet-18', { numClasses: 4, seed: 3, input: 'imagenet', widthRange: { min: 0.0625, max: 1 } });
    const config: SubnetConfig = { width: 0.0625, resolution: 24 };
    nonTrivialBatchNorm(model, [config], 2);
    const whole = prepareSubnet(model, config);
    const perLayer = prepareSubnet(model, config, { wholeNet: false });
    const x = fixture([2, 24, 24, 3], 9);
    const a = whole.predict(x);
    const b = perLayer.predict(x);
    // Same folded weights, same primitives' arithmetic: only the summation order of the pool and
    // the residual's in-place sum may differ.
    expect(relativeError(a, b)).toBeLessThan(1e-5);
    tf.dispose([x, a, b]);
    whole.dispose();
    perLayer.dispose();
    model.dispose();
  });

  it('1,000 switches through a PreparedCache: the addon holds at most maxEntries plans, the same bytes every cycle, none after dispose', async (ctx) => {
    if (!hasNative) ctx.skip();
    const configs = TINY_MOBILENET_CONFIGS;
    const model = createBackbone('mobilenet-v1', TINY_MOBILENET_OPTIONS);
    nonTrivialBatchNorm(model, configs, 1);
    const before = { ...planStats(), tensors: tf.memory().numTensors };
    const cache = new PreparedCache(model, { maxEntries: 3, maxBytes: Number.POSITIVE_INFINITY });
    const atCycle: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const config = configs[((i >> 2) + (i & 1)) % configs.length] as SubnetConfig;
      const x = fixture([1, config.resolution, config.resolution, 3], 3);
      tf.dispose([x, cache.predict(x, config)]);
      expect(planStats().plans - before.plans).toBeLessThanOrEqual(3);
      if (i % 160 === 159) atCycle.push(`${planStats().plans}/${planStats().bytes}/${tf.memory().numTensors}`);
    }
    expect(cache.stats.evictions).toBeGreaterThan(100);
    expect(new Set(atCycle).size).toBe(1);
    cache.dispose();
    expect(planStats()).toEqual({
      plans: before.plans,
      bytes: before.bytes,
      directSteps: before.directSteps,
      blockedSteps: before.blockedSteps,
    });
    expect(tf.memory().numTensors).toBe(before.tensors);
    model.dispose();
  });
});
