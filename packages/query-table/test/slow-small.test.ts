import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Backbone, createBackbone } from '@adaptnet/backbones';
import { makeContext } from '@adaptnet/core';
import { createImageDataset, movingFashionActions, VideoStream } from '@adaptnet/data';
import { costOf } from '@adaptnet/flops';
import { useBackend } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatFrontier, type QueryTable } from '../src/index.js';
import { evaluateGridToFile, loadQueryTable, renderPlot } from '../src/node.js';

const SPACE = { width: { min: 0.63, max: 1 }, resolutions: [16, 12], frames: [4, 2] };
const GRID = { widths: [0.63, 1], resolutions: [16], frames: [4, 2] };

function slowSmall(seed: number): Backbone {
  return createBackbone('slow-small', { numClasses: 8, inChannels: 1, configSpace: SPACE, seed });
}

/** Moving actions rendered from 20 tiny hand-made items (no download): 16-px canvas, 4 frames. */
function actions(size: number, seed: number) {
  const n = 20;
  const items = createImageDataset({
    name: 'toy-items',
    height: 8,
    width: 8,
    channels: 1,
    classNames: ['a', 'b'],
    pixels: Uint8Array.from({ length: n * 64 }, (_, i) => (i * 37) % 256),
    labels: Int32Array.from({ length: n }, (_, i) => i % 2),
  });
  return movingFashionActions(items, { size, frames: 4, canvas: 16, seed });
}

describe('evaluateGrid on an untrained slow-small, end to end', () => {
  const model = slowSmall(1);
  // Two temporal views per clip for evaluation; single-view clips for calibration.
  const val = new VideoStream(actions(6, 1), { batchSize: 3, frames: 4, views: 2 });
  const calib = new VideoStream(actions(4, 2), { batchSize: 4, frames: 4 });
  let dir: string;
  let path: string;
  let table: QueryTable;
  beforeAll(async () => {
    await useBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'query-table-slow-'));
    path = join(dir, 'table.json');
    table = await evaluateGridToFile(
      path,
      model,
      GRID,
      () => val.epoch(0),
      () => calib.epoch(0),
      {
        calibrationSamples: 4,
        disposeBatches: true,
        latency: { runs: 1, warmup: 0 },
        architecture: 'slow-small',
        log: false,
      },
    );
  }, 120_000);
  afterAll(async () => {
    model.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('measures width × frames at the resolution, with MACs per view, the views and clip counts', () => {
    expect(table.rows.map((r) => r.key)).toEqual(['w0.630-r16-f4', 'w1.000-r16-f4', 'w0.630-r16-f2', 'w1.000-r16-f2']);
    for (const row of table.rows) {
      const cost = costOf(model, row.config);
      expect(cost.macs).toBe(model.cost([1, row.config.frames!, 16, 16, 1], makeContext(row.config, false)).macs);
      expect([row.macs, row.params, row.views, row.samples]).toEqual([cost.macs, cost.params, 2, 6]);
      expect(row.top1).toBeGreaterThanOrEqual(0);
      expect(row.top5).toBeGreaterThanOrEqual(row.top1);
      expect(row.latencyMs).toBeGreaterThan(0);
    }
    // Fewer frames or channels cost less: 2 frames at width 1 are about half of 4 frames.
    const macs = Object.fromEntries(table.rows.map((r) => [r.key, r.macs]));
    expect(macs['w1.000-r16-f2']! / macs['w1.000-r16-f4']!).toBeCloseTo(0.5, 1);
    expect(formatFrontier(table)).toContain(' × 2');
  });

  it('answers maxMacs and maxLatencyMs queries, and a fresh model gives the same logits from the file’s statistics', async () => {
    const loaded = await loadQueryTable(path);
    const budget = table.rows.find((r) => r.key === 'w1.000-r16-f2')!.macs;
    const best = loaded.query({ maxMacs: budget });
    const within = loaded.rows.filter((r) => r.macs <= budget);
    expect(best.top1).toBe(Math.max(...within.map((r) => r.top1)));
    expect(loaded.query({ maxLatencyMs: Number.POSITIVE_INFINITY }).key).toBe(loaded.latencyFrontier.at(-1)!.key);

    const fresh = slowSmall(1);
    const row = loaded.applyStatistics(fresh, loaded.frontier.at(-1)!.config);
    const ctx = makeContext(row.config, false);
    for await (const batch of val.epoch(0)) {
      const x = batch.clips(16, row.config.frames);
      const [a, b] = tf.tidy(() => [model.forward(x, ctx), fresh.forward(x, ctx)]);
      expect(Array.from(a!.dataSync())).toEqual(Array.from(b!.dataSync()));
      tf.dispose([a!, b!]);
      batch.dispose();
      break;
    }
    fresh.dispose();
    const { svg } = await renderPlot(loaded, { svgPath: join(dir, 'plot.svg') });
    expect(svg).toContain('frontier_points_marks');
  });
});
