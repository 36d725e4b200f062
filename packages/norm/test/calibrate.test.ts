import { ConfigError, ConfigRangeError, type SubnetConfig } from '@adaptnet/core';
import { expectClose, fixture, testBackends, useBackend } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { calibrate } from '../src/index.js';
import { activeOf, C, meanVar, rowsOf, TinyNet, tinyNetReference } from './helpers/tiny-net.js';

const BACKENDS = await testBackends();
const FULL: SubnetConfig = { width: 1, resolution: 4 };
const HALF: SubnetConfig = { width: 0.5, resolution: 4 };

/** Batches of 4 images (4×4, C channels); counts how many the consumer asked for. */
function countingSource(count: number, seed: number) {
  const batches = Array.from({ length: count }, (_, i) => tf.add(tf.mul(fixture([4, 4, 4, C], seed + i), 2), 0.5));
  const state = { pulled: 0 };
  function* gen() {
    for (const b of batches) {
      state.pulled++;
      yield b;
    }
  }
  return { batches, state, gen, dispose: () => tf.dispose(batches) };
}

/** The first `samples` images of the batches, regrouped as calibration sees them (last batch sliced). */
function seenRows(batches: readonly tf.Tensor[], samples: number, c: number): number[][][] {
  const out: number[][][] = [];
  let left = samples;
  for (const b of batches) {
    if (left === 0) break;
    const take = Math.min(left, b.shape[0] as number);
    const part = tf.slice(b, [0, 0, 0, 0], [take, ...b.shape.slice(1)]);
    out.push(rowsOf(part, c));
    part.dispose();
    left -= take;
  }
  return out;
}

function setAffine(net: TinyNet, gamma: number[], beta: number[]): void {
  const vars = net.namedVariables();
  tf.tidy(() => {
    vars.get('bn1.gamma')!.assign(tf.tensor1d(gamma));
    vars.get('bn1.beta')!.assign(tf.tensor1d(beta));
  });
}

const GAMMA = Array.from({ length: C }, (_, i) => 0.5 + i / 8);
const BETA = Array.from({ length: C }, (_, i) => (i - 3) / 8);

describe.each(BACKENDS)('calibrate on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each([
    [10, 3],
    [8, 2],
    [1, 1],
  ])(
    'samples %i from batches of 4: statistics equal a float64 computation over exactly those samples; %i batches requested',
    async (samples, batches) => {
      const net = new TinyNet();
      setAffine(net, GAMMA, BETA);
      const src = countingSource(5, 100);
      try {
        const [report] = await calibrate(net, src.gen, [FULL], { samples });
        expect(src.state.pulled).toBe(batches);
        expect(report).toMatchObject({ configKey: 'w1.000-r4', samples, batches });
        expect(report!.layers.map((l) => l.path)).toEqual(['bn1', 'block.bn2']);
        const ref = tinyNetReference(seenRows(src.batches, samples, C), GAMMA, BETA);
        const key = net.bn1.keyFor(FULL);
        const s1 = net.bn1.values(key);
        const r1 = meanVar(ref.bn1Inputs);
        expectClose(s1.mean, r1.mean, 1e-5);
        expectClose(s1.variance, r1.variance, 1e-5);
        const s2 = net.bn2.values(key);
        const r2 = meanVar(ref.bn2Inputs);
        expectClose(s2.mean, r2.mean, 1e-4);
        expectClose(s2.variance, r2.variance, 1e-4);
        // One batch more (or fewer) would give measurably different statistics.
        const other = meanVar(tinyNetReference(seenRows(src.batches, samples + 4, C), GAMMA, BETA).bn1Inputs);
        expect(Math.max(...other.mean.map((m, i) => Math.abs(m - s1.mean[i]!)))).toBeGreaterThan(1e-3);
      } finally {
        src.dispose();
        net.dispose();
      }
    },
  );

  it('each configuration gets its own key; a narrower one calibrates its leading channels only', async () => {
    const net = new TinyNet();
    const src = countingSource(3, 200);
    try {
      const progress: [string, number, number][] = [];
      const reports = await calibrate(net, src.batches, [FULL, HALF], {
        samples: 12,
        onProgress: (r, done, total) => progress.push([r.configKey, done, total]),
      });
      expect(reports.map((r) => r.configKey)).toEqual(['w1.000-r4', 'w0.500-r4']);
      expect(progress).toEqual([
        ['w1.000-r4', 1, 2],
        ['w0.500-r4', 2, 2],
      ]);
      expect(net.bn1.keys()).toEqual(['w1.000-r4', 'w0.500-r4']);
      const c = activeOf(0.5);
      const half = net.bn1.values('w0.500-r4');
      const ref = meanVar(tinyNetReference(seenRows(src.batches, 12, c), Array(C).fill(1), Array(C).fill(0)).bn1Inputs);
      expectClose(half.mean.slice(0, c), ref.mean, 1e-5);
      expectClose(half.variance.slice(0, c), ref.variance, 1e-5);
      expect(Array.from(half.mean.slice(c))).toEqual(Array(C - c).fill(0));
      expect(Array.from(half.variance.slice(c))).toEqual(Array(C - c).fill(1));
      const full = meanVar(tinyNetReference(seenRows(src.batches, 12, C), Array(C).fill(1), Array(C).fill(0)).bn1Inputs);
      expectClose(net.bn1.values('w1.000-r4').mean, full.mean, 1e-5);
    } finally {
      src.dispose();
      net.dispose();
    }
  });

  it('recalibrating replaces the statistics (no accumulation across runs) and leaves other keys alone', async () => {
    const net = new TinyNet();
    const a = countingSource(2, 300);
    const b = countingSource(2, 400);
    try {
      await calibrate(net, a.batches, [FULL, HALF], { samples: 8 });
      const halfBefore = net.bn2.values('w0.500-r4');
      await calibrate(net, b.batches, [FULL], { samples: 8 });
      const ref = meanVar(tinyNetReference(seenRows(b.batches, 8, C), Array(C).fill(1), Array(C).fill(0)).bn1Inputs);
      expectClose(net.bn1.values('w1.000-r4').mean, ref.mean, 1e-5);
      expectClose(net.bn1.values('w1.000-r4').variance, ref.variance, 1e-5);
      expect(net.bn2.values('w0.500-r4')).toEqual(halfBefore);
    } finally {
      a.dispose();
      b.dispose();
      net.dispose();
    }
  });

  it('inference after calibration normalises with the calibrated statistics', async () => {
    const net = new TinyNet();
    const src = countingSource(2, 500);
    try {
      await calibrate(net, src.batches, [FULL], { samples: 8 });
      const x = src.batches[0]!;
      const y = net.bn1.forward(x, { config: FULL, training: false });
      const s = net.bn1.values('w1.000-r4');
      const ref = rowsOf(x, C).flatMap((r) => r.map((v, k) => (v - s.mean[k]!) / Math.sqrt(s.variance[k]! + 1e-5)));
      expectClose(y, ref, 1e-5);
      y.dispose();
    } finally {
      src.dispose();
      net.dispose();
    }
  });

  it('async sources, per-configuration factories and disposeBatches', async () => {
    const net = new TinyNet();
    const seen: string[] = [];
    const made: tf.Tensor[] = [];
    async function* gen(config: SubnetConfig) {
      seen.push(`${config.width}`);
      for (let i = 0; i < 3; i++) {
        const t = fixture([4, 2, 2, C], 600 + i);
        made.push(t);
        yield t;
      }
    }
    try {
      const reports = await calibrate(net, gen, [FULL, HALF], { samples: 6, disposeBatches: true });
      expect(seen).toEqual(['1', '0.5']);
      expect(reports.map((r) => r.batches)).toEqual([2, 2]);
      expect(made).toHaveLength(4); // the generator was never resumed past the batch that completed the count
      expect(made.every((t) => t.isDisposed)).toBe(true);
    } finally {
      net.dispose();
    }
  });

  it('errors: running out of samples, bad options, a model that drops the context, an uncalibrated key', async () => {
    const net = new TinyNet();
    const src = countingSource(2, 700);
    try {
      await expect(calibrate(net, src.batches, [FULL], { samples: 9 })).rejects.toThrow(
        'calibrate: w1.000-r4 needs 9 samples but the batches ended after 8; pass { samples: 8 } or more batches',
      );
      expect(net.bn1.keys()).toEqual([]); // nothing written by the failed run
      await expect(calibrate(net, src.batches, [FULL], { samples: 0 })).rejects.toThrow(ConfigError);
      await expect(calibrate(net, src.batches, [], {})).rejects.toThrow('calibrate: no configurations given');
      const dropsContext = Object.assign(Object.create(net) as TinyNet, {
        forward: (x: tf.Tensor) => tf.clone(x),
      });
      await expect(calibrate(dropsContext, src.batches, [FULL], { samples: 4 })).rejects.toThrow(
        /no SwitchableBatchNorm recorded statistics/,
      );
      expect(() => net.forward(src.batches[0]!, { config: FULL, training: false })).toThrow(ConfigRangeError);
      expect(() => net.forward(src.batches[0]!, { config: FULL, training: false })).toThrow(
        "bn1: no BatchNorm set for key 'w1.000-r4' (policy config); sets exist for: (none); run calibrate() for this configuration or import its statistics",
      );
      await calibrate(net, src.batches, [HALF], { samples: 4 });
      expect(() => net.forward(src.batches[0]!, { config: FULL, training: false })).toThrow('sets exist for: w0.500-r4;');
    } finally {
      src.dispose();
      net.dispose();
    }
  });

  it('repeated calibration and inference leak no tensors', async () => {
    const net = new TinyNet();
    const src = countingSource(3, 800);
    try {
      await calibrate(net, src.batches, [FULL, HALF], { samples: 10 }); // creates the keys' variables
      const before = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) await calibrate(net, src.batches, [FULL, HALF], { samples: 10 });
      expect(tf.memory().numTensors).toBe(before);
      for (let i = 0; i < 5; i++) {
        tf.dispose(net.forward(src.batches[0]!, { config: HALF, training: false }));
        tf.dispose(net.forward(src.batches[0]!, { config: HALF, training: true }));
      }
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      src.dispose();
      net.dispose();
    }
  });
});
