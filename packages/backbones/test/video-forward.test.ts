import { type ForwardContext, Rng, type SubnetConfig } from '@adaptnet/core';
import type { SlimConv3d } from '@adaptnet/slimmable';
import { expectNoLeak, fixture, useBackend } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBackbone, type SlowFast, type VideoBackbone } from '../src/index.js';

const SMALL = ['slow-small', 'slowfast-small', 'x3d-small'] as const;

/**
 * Random configurations in the model's width range and frame list; resolutions are drawn from 17–32
 * px (odd sides included) instead of the 40–64 px defaults, to keep the CPU forward passes short.
 */
function randomConfigs(net: VideoBackbone, count: number, seed: number): SubnetConfig[] {
  const rng = new Rng(seed);
  const { width, frames } = net.configSpace;
  const list = frames as number[];
  const out: SubnetConfig[] = [{ width: width.min, resolution: 17, frames: Math.min(...list) }];
  for (let i = 1; i < count; i++) {
    out.push({
      width: width.min + rng.next() * (width.max - width.min),
      resolution: 17 + Math.floor(rng.next() * 16),
      frames: list[Math.floor(rng.next() * list.length)] as number,
    });
  }
  return out;
}

/** The model's input at a configuration, at most 32 px (SlowFast: the Fast clip at 32 px). */
function inputOf(net: VideoBackbone, config: SubnetConfig, batch = 1): number[] {
  const [, t, h, w, c] = net.inputShape(config) as number[];
  const side = Math.min(h as number, 32);
  return [batch, t as number, side, Math.min(w as number, side), c as number];
}

beforeAll(async () => {
  await useBackend('cpu');
});

describe.each(SMALL)('%s', (name) => {
  it('cost() and stageShapes() predict forward() and forwardStages() shapes at random configurations', () => {
    const net = createBackbone(name, { numClasses: 7 }) as VideoBackbone;
    for (const config of randomConfigs(net, 3, 11)) {
      const ctx: ForwardContext = { config, training: true };
      const shape = inputOf(net, config, 2);
      const x = fixture(shape, 3);
      const y = net.forward(x, ctx);
      expect(y.shape, JSON.stringify(config)).toEqual([...net.cost(shape, ctx).outShape]);
      expect(y.shape).toEqual([2, 7]);
      const stages = net.forwardStages(x, ctx);
      expect(stages.map((s) => s.shape)).toEqual(net.stageShapes(shape, ctx));
      // No temporal striding anywhere: every stage keeps the (Slow) clip length.
      expect(stages.every((s) => s.shape[1] === config.frames)).toBe(true);
      tf.dispose([x, y, ...stages]);
    }
    // At a 32-px input the stage sides are 32 / stageStrides.
    const config = { width: 1, resolution: 32, frames: 2 };
    const stages = net.stageShapes(inputOf(net, config), { config, training: false });
    expect(stages.map((s) => 32 / (s[2] as number))).toEqual([...net.stageStrides]);
    net.dispose();
  });

  it('a training forward + backward does not leak tensors', () => {
    const net = createBackbone(name, { numClasses: 3 }) as VideoBackbone;
    const config = randomConfigs(net, 2, 5)[1] as SubnetConfig;
    const ctx: ForwardContext = { config, training: true };
    const x = fixture(inputOf(net, config), 1);
    const vars = net.trainableVariables();
    expectNoLeak(() => {
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(net.forward(x, ctx))) as tf.Scalar, vars);
      return [value, ...Object.values(grads)];
    }, 1);
    x.dispose();
    net.dispose();
  });
});

describe('SlowFast adaptive fusion', () => {
  const net = createBackbone('slowfast-small', { numClasses: 5 }) as SlowFast;

  it('the Slow input is config.frames frames of the clip (⌊linspace⌋) at config.resolution; the Fast pathway sees the whole clip', () => {
    const config = { width: 0.7, resolution: 40, frames: 3 };
    const shape = net.inputShape(config);
    expect(shape).toEqual([1, 16, 64, 64, 3]);
    expect(net.slowInputShape(shape, { config, training: false })).toEqual([1, 3, 40, 40, 3]);
    // Frame i of this clip is filled with the value i: the Slow input must read frames 0, 7, 15.
    const clip = tf.tidy(() => tf.mul(tf.ones([1, 16, 8, 8, 3]), tf.reshape(tf.range(0, 16), [1, 16, 1, 1, 1])));
    const slow = net.slowInput(clip, { config: { ...config, resolution: 8 }, training: false });
    expect(Array.from(tf.tidy(() => tf.mean(slow, [0, 2, 3, 4])).dataSync())).toEqual([0, 7, 15]);
    tf.dispose([clip, slow]);
  });

  it('every fusion is appended as the last 2βC channels at the Slow pathway’s current T×H×W, for every sampled configuration', () => {
    for (const config of randomConfigs(net, 3, 21)) {
      const ctx: ForwardContext = { config, training: true };
      const x = fixture(inputOf(net, config), 9);
      // Per fusion: the Slow features before it, the Fast features it reads, the fused result.
      const s = net.slowInput(x, ctx);
      const slowStem = net.namedModules().get('slow_stem');
      const fastStem = net.namedModules().get('fast_stem');
      const slowFeat = slowStem!.forward(s, ctx);
      const fastFeat = fastStem!.forward(x, ctx);
      const fused = net.fusions[0]!.fuse(slowFeat, fastFeat, ctx);
      const [n, t, h, w, c] = slowFeat.shape as number[];
      expect(fused.shape).toEqual([n, t, h, w, (c as number) + net.fusions[0]!.outChannels]);
      // The leading channels are the Slow features untouched; the tail is the resampled lateral output.
      const lead = tf.slice(fused, [0, 0, 0, 0, 0], [n!, t!, h!, w!, c!]);
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(lead, slowFeat))).dataSync()[0])).toBe(0);
      const lateral = net.fusions[0]!.forward(fastFeat, ctx);
      expect(lateral.shape[1]).toBe((x.shape[1] as number) / net.alpha);
      // The whole walk agrees with the analytic shapes at every stage.
      const stages = net.forwardStages(x, ctx);
      expect(stages.map((st) => st.shape)).toEqual(net.stageShapes(x.shape, ctx));
      expect(stages.every((st) => st.shape[1] === config.frames)).toBe(true);
      tf.dispose([x, s, slowFeat, fastFeat, fused, lead, lateral, ...stages]);
    }
  });

  it('the tail channels’ weights (first conv and shortcut after each fusion) get non-zero gradient at every width', () => {
    const kernels = [...net.namedVariables()].filter(([k]) => /^slow_res\d_0\.(a|shortcut)\.conv\.kernel$/.test(k));
    expect(kernels.map(([k]) => k).sort()).toEqual(
      [
        'slow_res2_0.a',
        'slow_res2_0.shortcut',
        'slow_res3_0.a',
        'slow_res3_0.shortcut',
        'slow_res4_0.a',
        'slow_res4_0.shortcut',
        'slow_res5_0.a',
        'slow_res5_0.shortcut',
      ].map((k) => `${k}.conv.kernel`),
    );
    for (const width of [0.63, 0.75, 0.9, 1]) {
      const config = { width, resolution: 24, frames: 2 };
      const ctx: ForwardContext = { config, training: true };
      const x = fixture(inputOf(net, config), 4);
      const vars = kernels.map(([, v]) => v);
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(net.forward(x, ctx))) as tf.Scalar, vars);
      for (const [key, v] of kernels) {
        const g = grads[v.name] as tf.Tensor;
        const cin = v.shape[3] as number;
        const tail = net.fusions[Number(/res(\d)/.exec(key)![1]) - 2]!.outChannels;
        const gTail = tf.tidy(() => tf.sum(tf.abs(tf.slice(g, [0, 0, 0, cin - tail, 0], [-1, -1, -1, tail, -1]))).dataSync()[0]);
        expect(gTail, `${key} at width ${width}`).toBeGreaterThan(0);
        // Input channels with gradient: exactly the active Slow prefix and the whole tail.
        const conv = net.namedModules().get(key.replace(/\.kernel$/, '')) as SlimConv3d;
        const activeSlow = conv.inPlan.active(width) - tail;
        const perIn = tf.tidy(() => tf.sum(tf.abs(g), [0, 1, 2, 4]).arraySync() as number[]);
        const withGrad = perIn.flatMap((v, i) => (v > 0 ? [i] : []));
        expect(withGrad).toEqual([
          ...Array.from({ length: activeSlow }, (_, i) => i),
          ...Array.from({ length: tail }, (_, i) => cin - tail + i),
        ]);
        if (width === 0.63 && key.includes('res5')) expect(activeSlow).toBeLessThan(cin - tail);
      }
      tf.dispose([x, value, ...Object.values(grads)]);
    }
  });
});
