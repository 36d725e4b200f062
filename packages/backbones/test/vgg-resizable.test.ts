import { ConfigError, ConfigRangeError, type ForwardContext, type SubnetConfig } from '@adaptnet/core';
import { SwitchableBatchNorm } from '@adaptnet/norm';
import { expectNoLeak, fixture, useBackend } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackbone, resizedSide } from '../src/index.js';

const at = (width: number, resolution: number, scales?: number[]): ForwardContext => ({
  config: scales ? { width, resolution, scales } : { width, resolution },
  training: true,
});

beforeAll(() => useBackend('wasm'));
afterAll(() => useBackend('cpu'));

describe('VGG-16-BN', () => {
  it('counts the 13 convolutions of vgg16_bn exactly (15,346,630,656 MACs at 224) plus GAP + dense', () => {
    const net = createBackbone('vgg-16-bn');
    const c = net.cost([1, 224, 224, 3], at(1, 224));
    const conv = c.layers.filter((l) => l.kind === 'conv2d').reduce((s, l) => s + l.macs, 0);
    expect(conv).toBe(15_346_630_656);
    expect(c.macs).toBe(15_346_630_656 + 7 * 7 * 512 + 512 * 1000);
    expect(c.params).toBe(net.parameterCount());
    expect(net.stageStrides).toEqual([1, 2, 4, 8, 16, 32]);
    net.dispose();
  });

  it('small input drops the first pool; forward shapes match cost', () => {
    const net = createBackbone('vgg-16-bn', { input: 'small', numClasses: 10 });
    expect(net.stageStrides).toEqual([1, 2, 4, 8, 16]);
    const x = fixture([1, 16, 16, 3], 1);
    const ctx = at(0.25, 16);
    const y = net.forward(x, ctx);
    expect(y.shape).toEqual(net.cost(x.shape, ctx).outShape);
    const stages = net.forwardStages(x, ctx);
    expect(stages.map((s) => s.shape)).toEqual(net.stageShapes(x.shape, ctx));
    tf.dispose([x, y, ...stages]);
    net.dispose();
  });
});

describe('resizable variants', () => {
  const configs: SubnetConfig[] = [
    { width: 1, resolution: 32 },
    { width: 1, resolution: 32, scales: [1, 0.5, 0.75, 1] },
  ];

  it('place one resize before the first stride-1 block of every stage, BN keyed by spatial configuration', () => {
    const net = createBackbone('resnet-18', { resizable: true, numClasses: 5, norm: { configs } });
    expect(net.resizes.map((r) => r.name)).toEqual(['resnet18.resize0', 'resnet18.resize1', 'resnet18.resize2', 'resnet18.resize3']);
    const order = [...net.namedModules().keys()].filter((k) => /^(resize\d|layer\d_\d)$/.test(k));
    expect(order).toContain('resize0');
    const bns = [...net.namedModules().values()].filter((m): m is SwitchableBatchNorm => m instanceof SwitchableBatchNorm);
    expect(bns.every((b) => b.policy === 'spatial')).toBe(true);
    expect(bns[0]!.keys()).toEqual(['r32', 'r32-s1_0.5_0.75_1']);
    // stage shapes follow the factors: stage 1 at 8 → ⌊8·1⌋, stage 2: 4 → ⌊4·0.5⌋ = 2, stage 3: 1 → ⌊1·0.75⌋ → 1, stage 4: 1
    const shapes = net.stageShapes([1, 32, 32, 3], at(0.5, 32, [1, 0.5, 0.75, 1]));
    expect(shapes.map((s) => s[1])).toEqual([8, 2, 1, 1]);
    const c1 = net.cost([1, 32, 32, 3], at(1, 32, [1, 0.5, 0.75, 1]));
    const c0 = net.cost([1, 32, 32, 3], at(1, 32));
    expect(c1.macs).toBeLessThan(c0.macs);
    expect(c1.layers.filter((l) => l.kind === 'resize').every((l) => l.macs === 0 && l.params === 0)).toBe(true);
    net.dispose();
  });

  it('forward matches cost for random scale configurations and leaks nothing', () => {
    const all = [1, 0.75, 0.5];
    const cfgs: SubnetConfig[] = [];
    for (const a of all) for (const b of all) cfgs.push({ width: 1, resolution: 24, scales: [a, b, 1, 1] });
    const net = createBackbone('mobilenet-v2', { resizable: true, input: 'small', numClasses: 3, norm: { configs: cfgs } });
    expect(net.resizes).toHaveLength(4);
    const x = fixture([2, 24, 24, 3], 2);
    for (const c of cfgs) {
      const ctx: ForwardContext = { config: { ...c, width: 0.5 }, training: false };
      const stages = net.forwardStages(x, ctx);
      expect(stages.map((s) => s.shape)).toEqual(net.stageShapes(x.shape, ctx));
      const y = net.forward(x, ctx);
      expect(y.shape).toEqual(net.cost(x.shape, ctx).outShape);
      tf.dispose([y, ...stages]);
    }
    expectNoLeak(() => net.forward(x, { config: cfgs[4]!, training: true }), 2);
    tf.dispose(x);
    net.dispose();
  });

  it('named errors: wrong scale count, scales on a plain backbone, missing BN configs', () => {
    const plain = createBackbone('mobilenet-v1', { input: 'small', numClasses: 3 });
    expect(() => plain.cost([1, 8, 8, 3], at(1, 8, [1]))).toThrow('mobilenet_v1: scales given, but this backbone is not resizable');
    const net = createBackbone('mobilenet-v1', { resizable: true, input: 'small', numClasses: 3, norm: { policy: 'config' } });
    expect(() => net.cost([1, 8, 8, 3], at(1, 8, [1]))).toThrow(ConfigRangeError);
    expect(() => net.cost([1, 8, 8, 3], at(1, 8, [1, 1, 0, 1, 1]))).toThrow(/scales\[2\] must be a number > 0/);
    expect(() => createBackbone('resnet-18', { resizable: true })).toThrow(ConfigError);
    expect(resizedSide(7, 0.5)).toBe(3);
    expect(resizedSide(1, 0.25)).toBe(1);
    plain.dispose();
    net.dispose();
  });
});
