import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, makeContext } from '@adaptnet/core';
import { costOf } from '@adaptnet/flops';
import { exportStatistics } from '@adaptnet/norm';
import { testBackends, useBackend } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateGrid, formatFrontier, gridConfigs, gridSize, type QueryTable } from '../src/index.js';
import { loadQueryTable, saveQueryTable } from '../src/node.js';
import { ClipBnNet, clipSource } from './helpers/clips.js';

const BACKENDS = await testBackends();
const CHANNELS = 3;
const GRID = { widths: [0.5, 1], resolutions: [8, 6], frames: [4, 2] };
const CALIB = { batches: 2, clips: 3, frames: 4, side: 8, channels: CHANNELS, classes: CHANNELS, seed: 5 };
const VAL = { ...CALIB, batches: 2, clips: 4, views: 2, seed: 6 };

let dir: string;
beforeAll(async () => {
  await useBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'query-table-video-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the width × spatial × temporal grid', () => {
  it('lists frames outermost, then resolutions, widths innermost; 2D grids have no frames', () => {
    const keys = gridConfigs(GRID).map((c) => `${c.width}/${c.resolution}/${c.frames}`);
    expect(keys).toEqual(['0.5/8/4', '1/8/4', '0.5/6/4', '1/6/4', '0.5/8/2', '1/8/2', '0.5/6/2', '1/6/2']);
    expect(gridSize(GRID)).toBe(8);
    expect(gridConfigs({ widths: [1], resolutions: [8] })).toEqual([{ width: 1, resolution: 8 }]);
  });

  it('rejects bad frames with a named error', async () => {
    const model = new ClipBnNet(CHANNELS);
    const calib = clipSource(CALIB);
    for (const [frames, message] of [
      [[4, 4], 'grid.frames has duplicates: 4, 4'],
      [[2.5], 'frames must be positive integers, got 2.5'],
      [[], 'grid.frames is empty'],
    ] as const) {
      await expect(evaluateGrid(model, { ...GRID, frames }, calib.source, calib.source, { log: false })).rejects.toThrow(message);
    }
    // Image batches cannot feed a configuration with frames.
    const images = () => [{ labels: tf.tensor1d([0], 'int32'), inputs: () => tf.zeros([1, 8, 8, 3]), dispose() {} }];
    await expect(evaluateGrid(model, GRID, images, images, { log: false, calibrationSamples: 1 })).rejects.toThrow(
      /has frames, so the batches must give clips \[N, frames, r, r, C\] \(a VideoBatch of @adaptnet\/data\), got rank 4/,
    );
    calib.dispose();
    model.dispose();
  });
});

describe('evaluateGrid on clips (a hand-checkable model)', () => {
  const model = new ClipBnNet(CHANNELS);
  const calib = clipSource(CALIB);
  const val = clipSource(VAL);
  let table: QueryTable;
  beforeAll(async () => {
    table = await evaluateGrid(model, GRID, val.source, calib.source, { calibrationSamples: 6, log: false });
  });
  afterAll(() => {
    calib.dispose();
    val.dispose();
    model.dispose();
  });

  it('calibrates every configuration on its own clips: BN statistics = mean and unbiased variance of clips(r, t)', async () => {
    const seen = new Set<string>();
    for (const config of gridConfigs(GRID)) {
      const inputs: Float32Array[] = [];
      for (const batch of calib.source())
        inputs.push(batch.inputs({ resolution: config.resolution, frames: config.frames! }).dataSync() as Float32Array);
      const mean = Array<number>(CHANNELS).fill(0);
      const sq = Array<number>(CHANNELS).fill(0);
      let n = 0;
      for (const x of inputs) for (let i = 0; i < x.length; i++) mean[i % CHANNELS]! += x[i] as number;
      for (const x of inputs) n += x.length / CHANNELS;
      for (let c = 0; c < CHANNELS; c++) mean[c]! /= n;
      for (const x of inputs) for (let i = 0; i < x.length; i++) sq[i % CHANNELS]! += (x[i]! - mean[i % CHANNELS]!) ** 2;
      const variance = sq.map((s) => s / (n - 1));
      const stats = exportStatistics(model, config).layers.bn!;
      stats.mean.forEach((m, c) => expect(m).toBeCloseTo(mean[c]!, 5));
      stats.variance.forEach((v, c) => expect(v).toBeCloseTo(variance[c]!, 4));
      seen.add(stats.variance.map((v) => v.toFixed(4)).join());
      const stored = table.statisticsFor(config);
      if (stored) stored.layers.bn!.mean.forEach((m, c) => expect(m).toBeCloseTo(mean[c]!, 5));
    }
    // Resizing and dropping frames change the statistics: each (resolution, frames) has its own.
    expect(seen.size).toBe(4);
    // One calibration and one evaluation pass per configuration.
    expect(calib.counts.calls).toBe(8 + 8);
    expect(val.counts.calls).toBe(8);
  });

  it('averages each clip’s views (softmax) and counts clips, as a brute-force scan does', () => {
    for (const row of table.rows) {
      expect(row.views).toBe(2);
      expect(row.samples).toBe(8);
      const ctx = makeContext(row.config, false);
      let correct = 0;
      for (const batch of val.source()) {
        const x = batch.inputs({ resolution: row.config.resolution, frames: row.config.frames! });
        const logits = tf.tidy(() => model.forward(x, ctx)).arraySync() as number[][];
        const labels = batch.labels.arraySync() as number[];
        for (let c = 0; c < logits.length / 2; c++) {
          const p = [logits[2 * c]!, logits[2 * c + 1]!].map((z) => {
            const e = z.map((v) => Math.exp(v - Math.max(...z)));
            const s = e.reduce((a, b) => a + b, 0);
            return e.map((v) => v / s);
          });
          const avg = p[0]!.map((v, k) => (v + p[1]![k]!) / 2);
          const best = avg.indexOf(Math.max(...avg));
          if (best === labels[2 * c]) correct++;
        }
      }
      expect(row.top1).toBeCloseTo(correct / 8, 12);
    }
  });

  it('reports MACs per view (one clip of one view) and the views; the text shows MFLOPs × views and frames', () => {
    for (const row of table.rows) {
      const { width, resolution, frames } = row.config;
      expect(row.macs).toBe(Math.round(1000 * width ** 2 * frames! * resolution ** 2));
      expect(row.macs).toBe(costOf(model, row.config).macs);
    }
    expect(table.views).toBe(2);
    expect(table.isVideo).toBe(true);
    expect(table.grid).toEqual(GRID);
    const text = formatFrontier(table, { all: true }).split('\n');
    expect(text[0]).toMatch(/^width +resolution +frames +MFLOPs × views +params +top-1 +top-5 +step$/);
    const cheapest = text.find((l) => /^[ *]0\.50 +6 +2 /.test(l));
    expect(cheapest).toContain('0.02 × 2'); // 1000 · 0.25 · 2 · 36 = 18,000 MACs per view
  });

  it('queries by MACs as in 2D, and round-trips through the file with frames and views', async () => {
    const best = table.query({ maxMacs: 100_000 });
    const within = table.rows.filter((r) => r.macs <= 100_000);
    expect(best.top1).toBe(Math.max(...within.map((r) => r.top1)));
    const path = join(dir, 'video-table.json');
    await saveQueryTable(table, path);
    const loaded = await loadQueryTable(path);
    expect(loaded.rows).toEqual(table.rows);
    expect(loaded.grid).toEqual(GRID);
    expect(loaded.frontierSteps().map((s) => s.change)).toEqual(table.frontierSteps().map((s) => s.change));
  });
});

describe('errors of 3D tables', () => {
  it('refuses rows with mixed view counts', async () => {
    const { QueryTable } = await import('../src/index.js');
    const row = (frames: number, views: number) => ({
      config: { width: 1, resolution: 8, frames },
      key: `w1.000-r8-f${frames}`,
      macs: frames,
      views,
      params: 1,
      top1: 0.5,
      top5: 0.5,
      samples: 1,
    });
    expect(() => new QueryTable({ rows: [row(2, 1), row(4, 3)] })).toThrow(ConfigError);
    expect(() => new QueryTable({ rows: [row(2, 1), row(4, 3)] })).toThrow(/different view counts \(1, 3\)/);
  });
});

describe.each(BACKENDS)('3D grid evaluation on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  afterAll(() => useBackend('cpu'));

  it('leaks no tensor (fresh multi-view clip batches, disposeBatches, latency)', async () => {
    const model = new ClipBnNet(CHANNELS);
    const calib = clipSource({ ...CALIB, fresh: true });
    const val = clipSource({ ...VAL, fresh: true });
    const run = () =>
      evaluateGrid(model, { widths: [0.5, 1], resolutions: [6], frames: [4, 2] }, val.source, calib.source, {
        calibrationSamples: 6,
        log: false,
        disposeBatches: true,
        latency: { runs: 2 },
      });
    const first = await run();
    const before = tf.memory().numTensors;
    await run();
    await run();
    expect(tf.memory().numTensors).toBe(before);
    expect(val.counts.disposed).toBe(val.counts.pulled);
    expect(calib.counts.disposed).toBe(calib.counts.pulled);
    expect(first.rows.map((r) => r.key)).toEqual(['w0.500-r6-f4', 'w1.000-r6-f4', 'w0.500-r6-f2', 'w1.000-r6-f2']);
    expect(first.hasLatency).toBe(true);
    expect(first.query({ maxLatencyMs: Number.POSITIVE_INFINITY }).key).toBe(first.latencyFrontier.at(-1)!.key);
    model.dispose();
  });
});
