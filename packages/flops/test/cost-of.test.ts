// Creating a backbone allocates its weights: a backend must be registered (core registers none).
import '@tensorflow/tfjs-backend-cpu';
import { createBackbone } from '@adaptnet/backbones';
import { ConfigError, type Cost, type ForwardContext, leafCost, Module, sequentialCost } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { costOf, formatCostReport, formatCount, formatInteger, formatMflops, formatMflopsValue, paramsExcluding } from '../src/index.js';

/** A toy two-layer model whose cost is known by hand: conv 3×3 (no tensors) then a BN-like row. */
class Toy extends Module {
  forward(x: tf.Tensor, _ctx: ForwardContext): tf.Tensor {
    return tf.clone(x);
  }

  cost(inShape: readonly number[], ctx: ForwardContext): Cost {
    const c = Math.round(8 * ctx.config.width);
    return sequentialCost(
      [
        (s) =>
          leafCost({
            name: 'toy.conv',
            kind: 'conv2d',
            macs: s[1]! * s[2]! * 9 * s[3]! * c,
            params: 9 * s[3]! * c,
            outShape: [s[0]!, s[1]!, s[2]!, c],
          }),
        (s) => leafCost({ name: 'toy.bn', kind: 'batchnorm', macs: 0, params: 2 * c, outShape: [...s] }),
      ],
      inShape,
    );
  }
}

describe('costOf', () => {
  it('walks cost() with the given shape and sums the rows', () => {
    const r = costOf(new Toy('toy'), { width: 0.5, resolution: 10 }, [1, 10, 10, 3]);
    expect(r.macs).toBe(100 * 27 * 4);
    expect(r.params).toBe(27 * 4 + 8);
    expect(r.outShape).toEqual([1, 10, 10, 4]);
    expect(r.layers.map((l) => l.name)).toEqual(['toy.conv', 'toy.bn']);
    expect(paramsExcluding(r, ['batchnorm'])).toBe(108);
  });

  it('needs an inShape for a model without inputShape(config)', () => {
    expect(() => costOf(new Toy('toy'), { width: 1, resolution: 8 })).toThrow(ConfigError);
    expect(() => costOf(new Toy('toy'), { width: 1, resolution: 8 }, [1, 0, 8, 3])).toThrow(/positive integers/);
  });

  it('rejects a model whose totals disagree with its rows', () => {
    const liar = { cost: () => ({ macs: 5, params: 0, outShape: [1], layers: [] }) };
    expect(() => costOf(liar, { width: 1, resolution: 8 }, [1])).toThrow(/layer rows sum to 0 MACs/);
  });

  it('reproduces the published figures on the backbones without creating a tensor', () => {
    const v1 = createBackbone('mobilenet-v1');
    const v2 = createBackbone('mobilenet-v2');
    const r50 = createBackbone('resnet-50');
    const r18 = createBackbone('resnet-18');
    const before = tf.memory().numTensors;
    expect(costOf(v1, { width: 1, resolution: 224 }).macs).toBe(568_790_528);
    expect(costOf(v1, { width: 0.25, resolution: 128 }).macs).toBe(13_574_144);
    const m2 = costOf(v2, { width: 1, resolution: 224 });
    expect(m2.macs).toBe(300_836_992);
    expect(paramsExcluding(m2, ['batchnorm'])).toBe(3_470_760);
    const t0 = performance.now();
    const m50 = costOf(r50, { width: 1, resolution: 224 });
    expect(performance.now() - t0).toBeLessThan(100);
    expect(m50.macs).toBe(4_089_284_608);
    expect(m50.params).toBe(25_557_032);
    expect(costOf(r18, { width: 1, resolution: 224 }).macs).toBe(1_814_098_432);
    expect(m50.inShape).toEqual([1, 224, 224, 3]);
    expect(tf.memory().numTensors).toBe(before);
    // Active parameters shrink with the width (upstream counters report full width everywhere).
    expect(costOf(r50, { width: 0.5, resolution: 224 }).params).toBeLessThan(m50.params / 2);
  });
});

describe('formatCostReport', () => {
  it('prints one row per layer and the totals', () => {
    const r = costOf(new Toy('toy'), { width: 1, resolution: 10 }, [1, 10, 10, 3]);
    const text = formatCostReport(r);
    const lines = text.split('\n');
    expect(lines[0]).toBe('width 1, resolution 10; input [1, 10, 10, 3]');
    expect(lines[1]).toMatch(/^layer\s+kind\s+output\s+MACs\s+params\s+MACs %$/);
    expect(lines[3]).toMatch(/^toy\.conv\s+conv2d\s+\[1, 10, 10, 8\]\s+21,600\s+216\s+100\.0%$/);
    expect(lines[4]).toMatch(/^toy\.bn\s+batchnorm\s+\[1, 10, 10, 8\]\s+0\s+16\s+0\.0%$/);
    expect(lines[5]).toBe('total: 21,600 (21.60K) MACs, 232 params, output [1, 10, 10, 8]');
    expect(formatCostReport(r, { layers: false }).split('\n')).toHaveLength(2);
  });

  it('reports a backbone per layer', () => {
    const text = formatCostReport(costOf(createBackbone('mobilenet-v2'), { width: 1, resolution: 224 }), { hideEmpty: true });
    expect(text).toContain('mobilenet_v2.fc');
    expect(text).toContain('total: 300,836,992 (300.84M) MACs, 3,504,872 (3.50M) params, output [1, 1000]');
  });

  it('formats counts', () => {
    expect([formatCount(999), formatCount(1500), formatCount(300_836_992), formatCount(4_089_284_608)]).toEqual([
      '999',
      '1.50K',
      '300.84M',
      '4.09G',
    ]);
    expect(formatInteger(25_557_032)).toBe('25,557,032');
  });
});

describe('formatMflops', () => {
  it("writes multiply-adds in the papers' unit, millions", () => {
    expect(formatMflops(1_990_000)).toBe('1.99 MFLOPs');
    expect(formatMflops(14_346_368, 3)).toBe('14.346 MFLOPs');
    expect(formatMflopsValue(345_000)).toBe('0.34');
  });
});
