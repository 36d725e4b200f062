import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointError, ConfigError, ConfigRangeError, makeContext } from '@adaptnet/core';
import { costOf } from '@adaptnet/flops';
import { calibrate, exportStatistics } from '@adaptnet/norm';
import { testBackends, useBackend } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EvaluateGridOptions, evaluateGrid, measureLatency, paretoFrontier, type QueryTable, type TableRow } from '../src/index.js';
import { evaluateGridToFile, loadQueryTable, saveQueryTable } from '../src/node.js';
import { type SyntheticOptions, syntheticSource } from './helpers/data.js';
import { tinyMobileNet } from './helpers/model.js';

const BACKENDS = await testBackends();
const RESOLUTIONS = [16, 12, 8];
const GRID = { resolutions: RESOLUTIONS, widthStep: 0.25 };
const KEYS = ['w0.500-r16', 'w0.750-r16', 'w1.000-r16', 'w0.500-r12', 'w0.750-r12', 'w1.000-r12', 'w0.500-r8', 'w0.750-r8', 'w1.000-r8'];
const OPTIONS: EvaluateGridOptions = { calibrationSamples: 40, log: false };
const VAL: SyntheticOptions = { batches: 3, size: 16, seed: 1 };
const CALIB: SyntheticOptions = { batches: 3, size: 16, seed: 2 };

/** Brute force: each sample's classes sorted by logit (ties: lower index first), label among the first k. */
function bruteAccuracy(logits: number[][], labels: ArrayLike<number>): { top1: number; top5: number } {
  let top1 = 0;
  let top5 = 0;
  logits.forEach((z, i) => {
    const order = z.map((v, c) => [v, c] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    const rank = order.findIndex(([, c]) => c === labels[i]);
    if (rank < 1) top1++;
    if (rank < 5) top5++;
  });
  return { top1, top5 };
}

let dir: string;
beforeAll(async () => {
  await useBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'query-table-grid-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('evaluateGrid on a small MobileNetV1', () => {
  const model = tinyMobileNet();
  const val = syntheticSource(VAL);
  const calib = syntheticSource(CALIB);
  let table: QueryTable;
  const progress: [string, number, number][] = [];
  const lines: string[] = [];

  beforeAll(async () => {
    table = await evaluateGrid(model, GRID, val.source, calib.source, {
      ...OPTIONS,
      architecture: 'mobilenet-v1',
      log: (line) => lines.push(line),
      onProgress: (row, done, total) => progress.push([row.key, done, total]),
    });
  });

  it('measures every width × resolution once, with exact MACs and params from costOf', () => {
    expect(table.rows.map((r) => r.key)).toEqual(KEYS);
    expect(table.grid).toEqual({ widths: [0.5, 0.75, 1], resolutions: RESOLUTIONS });
    expect(table.complete).toBe(true);
    for (const row of table.rows) {
      const cost = costOf(model, row.config);
      expect([row.macs, row.params]).toEqual([cost.macs, cost.params]);
      expect(row.samples).toBe(48);
    }
    // One calibration and one evaluation pass per configuration; 40 samples take 3 batches of 16.
    expect(calib.counts.calls).toBe(9);
    expect(val.counts.calls).toBe(9);
    expect(calib.counts.pulled).toBe(27);
    expect(table.model).toMatchObject({ name: model.name, architecture: 'mobilenet-v1', parameters: model.parameterCount() });
    expect(table.model.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(table.settings).toEqual({ calibrationSamples: 40, maxBatches: null, latency: null });
  });

  it('counts top-1 / top-5 as a brute-force scan of the logits does', () => {
    for (const row of table.rows) {
      let top1 = 0;
      let top5 = 0;
      for (const d of val.data) {
        const x = tf.image.resizeBilinear(
          tf.tensor4d(d.pixels, [d.labels.length, 16, 16, 1]),
          [row.config.resolution, row.config.resolution],
          true,
        );
        const logits = model.forward(x, makeContext(row.config, false));
        const counts = bruteAccuracy(logits.arraySync() as number[][], d.labels);
        top1 += counts.top1;
        top5 += counts.top5;
        tf.dispose([x, logits]);
      }
      expect([row.top1, row.top5]).toEqual([top1 / 48, top5 / 48]);
    }
    expect(new Set(table.rows.map((r) => r.top1)).size).toBeGreaterThan(1);
  });

  it('reports progress once per configuration', () => {
    expect(progress).toEqual(KEYS.map((k, i) => [k, i + 1, 9]));
    expect(lines).toHaveLength(9);
    const row = table.rows[4]!;
    expect(lines[4]).toMatch(
      new RegExp(
        `^\\[table 5/9\\] w=0\\.75 r=12  ${(row.macs / 1e6).toFixed(2)} MFLOPs  top-1 ${(100 * row.top1).toFixed(2)}%  top-5 ${(100 * row.top5).toFixed(2)}%  \\(\\d+\\.\\d s\\)$`,
      ),
    );
  });

  it('keeps the statistics of exactly the frontier configurations, equal to a direct calibration on the same images', async () => {
    const frontierKeys = new Set(table.frontier.map((r) => r.key));
    // Random weights: the frontier may be one row; every other row must then hold no statistics.
    expect(frontierKeys.size).toBeGreaterThanOrEqual(1);
    expect(table.rows.length).toBeGreaterThan(frontierKeys.size);
    for (const row of table.rows) expect(table.statisticsFor(row.key) !== undefined).toBe(frontierKeys.has(row.key));
    const fresh = tinyMobileNet();
    for (const row of table.frontier) {
      await calibrate(
        fresh,
        () =>
          calib.data.map((d) =>
            tf.image.resizeBilinear(tf.tensor4d(d.pixels, [16, 16, 16, 1]), [row.config.resolution, row.config.resolution], true),
          ),
        [row.config],
        {
          samples: 40,
          disposeBatches: true,
        },
      );
      const direct = exportStatistics(fresh, row.config);
      const stored = table.statisticsFor(row.config)!;
      expect(Object.keys(stored.layers)).toEqual(Object.keys(direct.layers));
      for (const [path, l] of Object.entries(direct.layers)) {
        expect(stored.layers[path]!.mean.map(Math.fround)).toEqual(l.mean);
        expect(stored.layers[path]!.variance.map(Math.fround)).toEqual(l.variance);
      }
    }
    fresh.dispose();
  });

  it('applyStatistics lets a fresh model with the same weights give identical logits, from memory and from the file', async () => {
    const path = join(dir, 'applied.json');
    await saveQueryTable(table, path);
    const loaded = await loadQueryTable(path);
    const x = tf.tensor4d(val.data[0]!.pixels, [16, 16, 16, 1]);
    for (const source of [table, loaded]) {
      const fresh = tinyMobileNet();
      for (const row of table.frontier) {
        const xr = tf.image.resizeBilinear(x, [row.config.resolution, row.config.resolution], true);
        const ctx = makeContext(row.config, false);
        expect(() => fresh.forward(xr, ctx)).toThrow(/no BatchNorm set for key/);
        expect(source.applyStatistics(fresh, row.config)).toEqual(row);
        const [a, b] = [model.forward(xr, ctx), fresh.forward(xr, ctx)];
        expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
        tf.dispose([xr, a, b]);
      }
      fresh.dispose();
    }
    x.dispose();
  });

  it('configure queries and switches in one call', () => {
    const fresh = tinyMobileNet();
    const best = table.frontier[table.frontier.length - 1]!;
    expect(table.configure(fresh, { maxMacs: best.macs })).toEqual(best);
    expect(() => table.configure(fresh, { maxMacs: table.frontier[0]!.macs - 1 })).toThrow(
      new RegExp(`cheapest configuration in the table: ${table.frontier[0]!.key}`),
    );
    fresh.dispose();
  });

  it('resumes an interrupted run without re-measuring the rows it kept', async () => {
    const path = join(dir, 'resume.json');
    const failing = syntheticSource({ ...VAL, failOnCall: 4, failAfter: 1 });
    const calib1 = syntheticSource(CALIB);
    const m1 = tinyMobileNet();
    await expect(evaluateGridToFile(path, m1, GRID, failing.source, calib1.source, OPTIONS)).rejects.toThrow('source failed on call 4');
    expect(calib1.counts.calls).toBe(4); // the 4th row was calibrated, then interrupted while evaluating
    const partial = await loadQueryTable(path);
    expect(partial.complete).toBe(false);
    expect(partial.rows.map((r) => r.key)).toEqual(KEYS.slice(0, 3));

    const m2 = tinyMobileNet(); // a new process: same weights, no statistics
    const val2 = syntheticSource(VAL);
    const calib2 = syntheticSource(CALIB);
    const resumed = await evaluateGridToFile(path, m2, GRID, val2.source, calib2.source, OPTIONS);
    expect(calib2.counts.calls).toBe(6);
    expect(val2.counts.calls).toBe(6);
    expect(resumed.rows.slice(0, 3)).toEqual(partial.rows);
    // Identical to the uninterrupted run, statistics included.
    expect(resumed.rows).toEqual(table.rows);
    for (const row of table.frontier) expect(resumed.statisticsFor(row.key)).toEqual(table.statisticsFor(row.key));
    const final = await loadQueryTable(path);
    expect(final.complete).toBe(true);
    expect(final.rows).toEqual(table.rows);

    // Resuming a complete table measures nothing.
    const calib3 = syntheticSource(CALIB);
    await evaluateGrid(m2, GRID, val2.source, calib3.source, { ...OPTIONS, resumeFrom: final });
    expect(calib3.counts.calls).toBe(0);
    m1.dispose();
    m2.dispose();
    for (const s of [failing, calib1, val2, calib2, calib3]) s.dispose();
  });

  it('resuming into a smaller grid recalibrates only kept rows that become frontier rows without statistics', async () => {
    const sub = table.rows.filter((r) => r.config.resolution === 12);
    const needed = paretoFrontier(sub, 'macs').filter((r) => table.statisticsFor(r.key) === undefined);
    const calib2 = syntheticSource(CALIB);
    const val2 = syntheticSource(VAL);
    const small = await evaluateGrid(model, { resolutions: [12], widthStep: 0.25 }, val2.source, calib2.source, {
      ...OPTIONS,
      resumeFrom: table,
    });
    expect(val2.counts.calls).toBe(0);
    expect(needed.length).toBeGreaterThan(0);
    expect(calib2.counts.calls).toBe(needed.length);
    expect(small.rows).toEqual(sub);
    for (const r of small.frontier) expect(small.statisticsFor(r.key)).toBeDefined();
    calib2.dispose();
    val2.dispose();
  });

  it('refuses to resume with other settings or other weights', async () => {
    const other = tinyMobileNet(2);
    await expect(evaluateGrid(other, GRID, val.source, calib.source, { ...OPTIONS, resumeFrom: table })).rejects.toThrow(CheckpointError);
    await expect(evaluateGrid(other, GRID, val.source, calib.source, { ...OPTIONS, resumeFrom: table })).rejects.toThrow(
      /measured on other weights/,
    );
    const settings = evaluateGrid(model, GRID, val.source, calib.source, { ...OPTIONS, calibrationSamples: 32, resumeFrom: table });
    await expect(settings).rejects.toThrow(ConfigError);
    await expect(
      evaluateGrid(model, GRID, val.source, calib.source, { ...OPTIONS, latency: { runs: 2 }, resumeFrom: table }),
    ).rejects.toThrow(
      /was measured with other settings \(latency: off → on; latency\.runs: - → 2; latency\.batchSize: - → 1; latency\.warmup: - → 1; latency\.backend: - → cpu\)/,
    );
    await expect(
      evaluateGrid(model, GRID, val.source, calib.source, { ...OPTIONS, calibrationSamples: 32, resumeFrom: table }),
    ).rejects.toThrow(/\(calibrationSamples: 40 → 32\)/);
    await expect(loadQueryTable(join(dir, 'missing.json'))).rejects.toThrow(/no query table at/);
    other.dispose();
  });

  afterAll(() => {
    val.dispose();
    calib.dispose();
    model.dispose();
  });
});

describe('evaluateGrid options', () => {
  const model = tinyMobileNet();
  afterAll(() => model.dispose());

  it('measures latency per row and builds a latency frontier', async () => {
    const val = syntheticSource(VAL);
    const calib = syntheticSource(CALIB);
    const table = await evaluateGrid(model, { widths: [0.5, 1], resolutions: [12, 8] }, val.source, calib.source, {
      ...OPTIONS,
      latency: { runs: 3, batchSize: 2 },
    });
    expect(table.hasLatency).toBe(true);
    for (const r of table.rows) expect(r.latencyMs).toBeGreaterThan(0);
    expect(table.settings?.latency).toEqual({ runs: 3, batchSize: 2, warmup: 1, backend: 'cpu' });
    const fastest = table.latencyFrontier[0]!;
    expect(table.query({ maxLatencyMs: fastest.latencyMs! }).key).toBe(fastest.key);
    for (const r of table.latencyFrontier) expect(table.statisticsFor(r.key)).toBeDefined();
    val.dispose();
    calib.dispose();
  });

  it('measureLatency reports the median of the timed runs after the warm-up', () => {
    // A fake clock read at the start and end of each pass: durations 100 (warm-up), 5, 1, 3, 2.
    const stamps = [0, 100, 100, 105, 105, 106, 106, 109, 109, 111];
    let reads = 0;
    const now = () => stamps[reads++]!;
    const forward = model.forward.bind(model);
    let passes = 0;
    const counted = Object.create(model, {
      forward: {
        value: (x: tf.Tensor, ctx: never) => {
          passes++;
          return forward(x, ctx);
        },
      },
    });
    const before = tf.memory().numTensors;
    const ms = measureLatency(counted, { width: 1, resolution: 8 }, [1, 8, 8, 1], { runs: 4, warmup: 1 }, now);
    expect(passes).toBe(5);
    expect(reads).toBe(10);
    expect(ms).toBe(2.5); // median of 5, 1, 3, 2
    expect(tf.memory().numTensors).toBe(before);
  });

  it('evaluates at most maxBatches batches without pulling one more', async () => {
    const val = syntheticSource(VAL);
    const calib = syntheticSource(CALIB);
    const table = await evaluateGrid(model, { widths: [1], resolutions: [8] }, val.source, calib.source, { ...OPTIONS, maxBatches: 2 });
    expect(val.counts.pulled).toBe(2);
    expect(table.rows[0]!.samples).toBe(32);
    expect(table.settings?.maxBatches).toBe(2);
    val.dispose();
    calib.dispose();
  });

  it('rejects bad grids and options with named errors', async () => {
    const val = syntheticSource(VAL);
    const calib = syntheticSource(CALIB);
    const run = (grid: Parameters<typeof evaluateGrid>[1], options: EvaluateGridOptions = OPTIONS, m = model) =>
      evaluateGrid(m, grid, val.source, calib.source, options);
    await expect(run({ widths: [0.25], resolutions: [8] })).rejects.toThrow(ConfigRangeError);
    await expect(run({ widths: [0.25], resolutions: [8] })).rejects.toThrow(/width 0.25 is outside the model's width range: \[0.5, 1\]/);
    await expect(run({ resolutions: [] })).rejects.toThrow(/grid.resolutions is empty/);
    await expect(run({ resolutions: [8.5] })).rejects.toThrow(/resolutions must be positive integers, got 8.5/);
    await expect(run({ widths: [0.5, 0.5001], resolutions: [8] })).rejects.toThrow(
      /widths 0.5 and 0.5001 are the same configuration \(w0.500\)/,
    );
    const noRange = Object.create(model, { widthRange: { value: undefined } });
    await expect(run({ resolutions: [8] }, OPTIONS, noRange)).rejects.toThrow(/has no widthRange; give grid.widths/);
    await expect(run({ widths: [1], resolutions: [8] }, { ...OPTIONS, calibrationSamples: 1000 })).rejects.toThrow(
      /needs 1000 samples but the batches ended after 48/,
    );
    await expect(run({ widths: [1], resolutions: [8] }, { ...OPTIONS, latency: { runs: 0 } })).rejects.toThrow(
      /latency.runs must be a positive integer, got 0/,
    );
    await expect(run({ widths: [1], resolutions: [8] }, { ...OPTIONS, calibrationSamples: 0.5 })).rejects.toThrow(ConfigError);
    const empty = () => [];
    await expect(evaluateGrid(model, { widths: [1], resolutions: [8] }, empty, calib.source, OPTIONS)).rejects.toThrow(
      /validation source yielded no samples/,
    );
    val.dispose();
    calib.dispose();
  });
});

describe.each(BACKENDS)('evaluateGrid on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  afterAll(() => useBackend('cpu'));

  it('leaks no tensor over a grid with fresh batches per call (disposeBatches)', async () => {
    const model = tinyMobileNet();
    const val = syntheticSource({ ...VAL, fresh: true });
    const calib = syntheticSource({ ...CALIB, fresh: true });
    const run = () =>
      evaluateGrid(model, { widths: [0.5, 1], resolutions: [12] }, val.source, calib.source, {
        ...OPTIONS,
        disposeBatches: true,
        latency: { runs: 2 },
      });
    const first = await run(); // creates the configurations' BN statistics sets
    const before = tf.memory().numTensors;
    await run();
    await run();
    expect(tf.memory().numTensors).toBe(before);
    expect(val.counts.disposed).toBe(val.counts.pulled);
    expect(calib.counts.disposed).toBe(calib.counts.pulled);
    expect(first.rows.map((r: TableRow) => r.key)).toEqual(['w0.500-r12', 'w1.000-r12']);
    expect(first.rows.every((r) => r.samples === 48 && r.top1 >= 0 && r.top5 <= 1)).toBe(true);
    model.dispose();
  });
});
