import { type Backbone, createBackbone } from '@adaptnet/backbones';
import { configKey, type SubnetConfig } from '@adaptnet/core';
import { calibrate, exportStatistics, findBatchNorms, importStatistics } from '@adaptnet/norm';
import { fixture } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exportSubnet, PreparedCache, subnetMetadata } from '../src/index.js';
import { nonTrivialBatchNorm, relativeError, TINY_MOBILENET_CONFIGS, TINY_MOBILENET_OPTIONS } from './helpers/backbones.js';

const OPTIONS = TINY_MOBILENET_OPTIONS;
const CONFIGS = TINY_MOBILENET_CONFIGS;

let model: Backbone;
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => {
  model?.dispose();
});

function fresh(): Backbone {
  model = createBackbone('mobilenet-v1', OPTIONS);
  nonTrivialBatchNorm(model, CONFIGS, 1);
  return model;
}

function logits(cache: PreparedCache, config: SubnetConfig): tf.Tensor {
  const x = fixture([2, config.resolution, config.resolution, 3], 3);
  const y = cache.predict(x, config);
  x.dispose();
  return y;
}

function plain(config: SubnetConfig): tf.Tensor {
  const x = fixture([2, config.resolution, config.resolution, 3], 3);
  const y = model.forward(x, { config, training: false });
  x.dispose();
  return y;
}

describe('PreparedCache', () => {
  it('a configuration first prepared inside tf.tidy outlives the tidy: later calls give the same logits', () => {
    const cache = new PreparedCache(fresh(), { maxBytes: Number.POSITIVE_INFINITY });
    const config = CONFIGS[2] as SubnetConfig;
    const x = fixture([2, config.resolution, config.resolution, 3], 3);
    const first = tf.tidy(() => tf.keep(cache.predict(x, config).clone()));
    const again = cache.predict(x, config);
    expect(cache.stats.hits).toBe(1);
    expect(relativeError(again, first)).toBe(0);
    tf.dispose([x, first, again]);
    cache.dispose();
  });

  it('a serving loop (one config object on every call) is served from the entry returned last; an object changed in place, or clear(), is not', () => {
    const cache = new PreparedCache(fresh(), { maxBytes: Number.POSITIVE_INFINITY });
    const a = CONFIGS[2] as SubnetConfig;
    const b = CONFIGS[0] as SubnetConfig;
    const config = { width: a.width, resolution: a.resolution };
    const first = cache.get(config);
    expect(first.key).toBe(configKey(a));
    expect(cache.get(config)).toBe(first);
    expect(cache.stats).toEqual({ hits: 1, misses: 1, evictions: 0, invalidations: 0 });
    // The loop itself: forwards through the last entry leave no tensors behind.
    const x = fixture([1, a.resolution, a.resolution, 3], 3);
    tf.dispose(cache.predict(x, config));
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) tf.dispose(cache.predict(x, config));
    expect(tf.memory().numTensors).toBe(tensors);
    expect(cache.stats.hits).toBe(52);
    x.dispose();
    // Its type is readonly, but JavaScript can change the object: the cache must follow the fields.
    Object.assign(config, { width: b.width, resolution: b.resolution });
    const other = cache.get(config);
    expect(other.key).toBe(configKey(b));
    expect(cache.stats.misses).toBe(2);
    cache.clear();
    expect(other.isDisposed).toBe(true);
    const again = cache.get(config);
    expect(again.isDisposed).toBe(false);
    expect(again.key).toBe(configKey(b));
    expect(cache.stats.misses).toBe(3);
    cache.dispose();
  });

  it('a warm switch returns the prepared configuration; bytes per configuration are the folded parameter count × 4', () => {
    const cache = new PreparedCache(fresh(), { maxBytes: Number.POSITIVE_INFINITY });
    const first = cache.get(CONFIGS[0] as SubnetConfig);
    expect(cache.get({ ...(CONFIGS[0] as SubnetConfig) })).toBe(first);
    expect(cache.stats).toEqual({ hits: 1, misses: 1, evictions: 0, invalidations: 0 });
    for (const config of CONFIGS) {
      const prepared = cache.get(config);
      // Independent count: the exported Layers model's parameters (cost() minus one BN parameter per channel).
      const exported = exportSubnet(model, config);
      expect(prepared.bytes).toBe(4 * (subnetMetadata(exported)?.exportedParams as number));
      expect(prepared.bytes).toBe(4 * exported.countParams());
      exported.dispose();
    }
    const report = cache.memory();
    expect(report.entries.map((e) => e.key)).toEqual([
      'w1.000-r6',
      'w1.000-r8',
      'w0.750-r6',
      'w0.750-r8',
      'w0.500-r6',
      'w0.500-r8',
      'w0.250-r6',
      'w0.250-r8',
    ]);
    expect(report.preparedBytes).toBe(report.entries.reduce((n, e) => n + e.bytes, 0));
    const shared = [...model.namedVariables().values()].reduce((n, v) => n + 4 * v.size, 0);
    expect(report.sharedBytes).toBe(shared);
    expect(report.totalBytes).toBe(shared + report.preparedBytes);
    cache.dispose();
  });

  it('is bounded by maxEntries (least recently used evicted) and by maxBytes', () => {
    fresh();
    const byEntries = new PreparedCache(model, { maxEntries: 3, maxBytes: Number.POSITIVE_INFINITY });
    for (const config of CONFIGS) byEntries.get(config);
    byEntries.get(CONFIGS[5] as SubnetConfig); // touch: most recently used
    byEntries.get(CONFIGS[0] as SubnetConfig); // evicts the least recently used, CONFIGS[6]
    expect(byEntries.size).toBe(3);
    expect(byEntries.memory().entries.map((e) => e.key)).toEqual(['w0.250-r8', 'w0.750-r6', 'w1.000-r6']);
    expect(byEntries.stats.evictions).toBe(CONFIGS.length + 1 - 3);
    byEntries.dispose();

    const full = new PreparedCache(model).get({ width: 1, resolution: 8 }).bytes;
    const small = new PreparedCache(model, { maxBytes: full + 1 });
    for (const config of CONFIGS) {
      small.get(config);
      const { preparedBytes, entries } = small.memory();
      expect(preparedBytes <= full + 1 || entries.length === 1).toBe(true);
    }
    // A configuration larger than the bound is still served, alone.
    const tiny = new PreparedCache(model, { maxBytes: 1 });
    tiny.get(CONFIGS[0] as SubnetConfig);
    tiny.get(CONFIGS[7] as SubnetConfig);
    expect(tiny.size).toBe(1);
    small.dispose();
    tiny.dispose();
  });

  it('frees its memory: 1,000 switches over 8 configurations leave numTensors and numBytes where they were', () => {
    fresh();
    const before = tf.memory();
    const cache = new PreparedCache(model, { maxEntries: 3, maxBytes: Number.POSITIVE_INFINITY });
    const atCycle: { numTensors: number; numBytes: number }[] = [];
    for (let i = 0; i < 1000; i++) {
      // Alternates between neighbouring configurations, moving on every 4 switches: hits and evictions, period 32.
      const config = CONFIGS[((i >> 2) + (i & 1)) % CONFIGS.length] as SubnetConfig;
      tf.dispose(logits(cache, config));
      if (i % 160 === 159) atCycle.push({ numTensors: tf.memory().numTensors, numBytes: tf.memory().numBytes });
    }
    const { hits, misses, evictions } = cache.stats;
    expect(hits).toBeGreaterThan(100);
    expect(misses).toBeGreaterThan(100);
    expect(evictions).toBe(misses - cache.size);
    // Every 160 switches (5 periods) the cache holds the same 3 configurations: the same tensors and bytes.
    expect(new Set(atCycle.map((m) => `${m.numTensors}/${m.numBytes}`)).size).toBe(1);
    cache.dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });

  it('recalibration and importStatistics invalidate the prepared configuration; the next use folds the new statistics', async () => {
    fresh();
    const config = CONFIGS[2] as SubnetConfig;
    const cache = new PreparedCache(model);
    const old = logits(cache, config);
    expect(cache.has(config)).toBe(true);
    const saved = exportStatistics(model, config);

    await calibrate(model, [fixture([6, config.resolution, config.resolution, 3], 9)], [config], { samples: 6 });
    expect(cache.has(config)).toBe(false);
    const recalibrated = logits(cache, config);
    expect(cache.stats.invalidations).toBe(1);
    const want = plain(config);
    expect(relativeError(recalibrated, want)).toBeLessThan(1e-4);
    expect(relativeError(recalibrated, old)).toBeGreaterThan(1e-2);

    importStatistics(model, JSON.parse(JSON.stringify(saved)));
    expect(cache.has(config)).toBe(false);
    const restored = logits(cache, config);
    expect(cache.stats.invalidations).toBe(2);
    expect(relativeError(restored, old)).toBeLessThan(1e-6);
    tf.dispose([old, recalibrated, want, restored]);
    cache.dispose();
  });

  it('changed weights (an optimizer step, a checkpoint load) and direct BN writes invalidate it', () => {
    fresh();
    const config = CONFIGS[4] as SubnetConfig;
    const cache = new PreparedCache(model);
    tf.dispose(logits(cache, config));
    const kernel = model.namedVariables().get('block1.pw.conv.kernel') as tf.Variable;
    kernel.assign(tf.tidy(() => tf.mul(kernel, 1.5)));
    expect(cache.has(config)).toBe(false);
    const got = logits(cache, config);
    const want = plain(config);
    expect(relativeError(got, want)).toBeLessThan(1e-4);
    tf.dispose([got, want]);

    // The shared γ of one BN layer, written around the layer (as a checkpoint load does).
    const gamma = model.namedVariables().get('stem.bn.gamma') as tf.Variable;
    gamma.assign(tf.tidy(() => tf.add(gamma, 0.25)));
    expect(cache.has(config)).toBe(false);
    tf.dispose(logits(cache, config));
    expect(cache.has(config)).toBe(true);

    // Statistics of another configuration: conservative, the layer's version moved.
    const bn = findBatchNorms(model)[0]?.bn;
    bn?.setStatistics(bn.keyFor(CONFIGS[0] as SubnetConfig), [0.1], [2]);
    expect(cache.has(config)).toBe(false);
    expect(cache.stats.invalidations).toBe(2);
    cache.dispose();
  });

  it('refuses bad bounds and unprepared configurations with named errors', () => {
    fresh();
    expect(() => new PreparedCache(model, { maxEntries: 0 })).toThrow(
      /maxEntries must be a positive number \(Infinity: unbounded\), got 0/,
    );
    expect(() => new PreparedCache(model, { maxEntries: 1.5 })).toThrow(/maxEntries must be an integer, got 1.5/);
    expect(() => new PreparedCache(model, { maxBytes: Number.NaN })).toThrow(
      /maxBytes must be a positive number \(Infinity: unbounded\), got NaN/,
    );
    const cache = new PreparedCache(model);
    const before = tf.memory().numTensors;
    expect(() => cache.get({ width: 0.5, resolution: 12 })).toThrow(/no BatchNorm set for key 'w0.500-r12'/);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => cache.get({ width: 2, resolution: 8 })).toThrow(/width 2 is outside the allowed range/);
    expect(() => cache.get({ width: 1, resolution: 8, frames: 4 })).toThrow(/video configurations/);
    expect(() => cache.predict(tf.zeros([1, 8, 8, 1]), CONFIGS[0] as SubnetConfig)).toThrow(
      /input must be \[N, H, W, 3\], got shape \[1, 8, 8, 1\]/,
    );
    cache.dispose();
    expect(() => cache.get(CONFIGS[0] as SubnetConfig)).toThrow(/used after dispose/);
  });
});
