import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointError, ConfigError, type SubnetConfig } from '@adaptnet/core';
import { exportStatistics } from '@adaptnet/norm';
import { useBackend } from '@adaptnet/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  evaluateGrid,
  formatFrontier,
  formatRowLine,
  type MetricGridOptions,
  type MetricRow,
  paretoFrontier,
  plotSpec,
  QUERY_TABLE_VERSION,
  type QueryTable,
} from '../src/index.js';
import { evaluateGridToFile, loadQueryTable, saveQueryTable } from '../src/node.js';
import { ClipBnNet, clipSource } from './helpers/clips.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const GRID = { widths: [0.5, 0.75, 1], resolutions: [8, 6], frames: [4, 2] };

/** A made-up "box AP" that grows with width, resolution and frames (not monotone in MACs). */
const fakeAp = (c: SubnetConfig) => Math.round(1e4 * (0.1 + 0.2 * c.width + 0.02 * c.resolution + 0.01 * (c.frames ?? 0))) / 1e4;

let dir: string;
beforeAll(async () => {
  await useBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'query-table-metric-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('a generic metric (an evaluator callback)', () => {
  const model = new ClipBnNet(3);
  const calib = clipSource({ batches: 1, clips: 4, frames: 4, side: 8, channels: 3, classes: 3, seed: 2 });
  const calls: string[] = [];
  const options: MetricGridOptions = {
    calibrationSamples: 4,
    log: false,
    metric: { name: 'box AP', secondary: 'AP50' },
    evaluate: async (m, config, context) => {
      // Called after this configuration's calibration, once per configuration.
      expect(exportStatistics(m, config).layers.bn).toBeDefined();
      expect(context).toEqual({});
      calls.push(`${config.width}/${config.resolution}/${config.frames}`);
      return { value: fakeAp(config), secondary: Math.min(1, fakeAp(config) + 0.2), samples: 5 };
    },
  };
  let table: QueryTable<MetricRow>;
  beforeAll(async () => {
    table = await evaluateGrid(model, GRID, null, calib.source, options);
  });
  afterAll(() => {
    calib.dispose();
    model.dispose();
  });

  it('records the metric, evaluates each configuration once, and builds the frontier on its values', () => {
    expect(calls).toHaveLength(12);
    expect(new Set(calls).size).toBe(12);
    expect(table.metric).toEqual({ name: 'box AP', secondary: 'AP50' });
    for (const row of table.rows) {
      expect(row.value).toBe(fakeAp(row.config));
      expect('top1' in row).toBe(false);
    }
    // The frontier: the rows better than every cheaper row (brute force).
    const brute = table.rows.filter((r) =>
      table.rows.every(
        (o) => o === r || !(o.macs <= r.macs && o.value >= r.value && (o.macs < r.macs || o.value > r.value || o.key < r.key)),
      ),
    );
    expect(new Set(table.frontier.map((r) => r.key))).toEqual(new Set(brute.map((r) => r.key)));
    expect(paretoFrontier(table.rows, 'macs')).toEqual(table.frontier);
    const budget = 20_000;
    expect(table.query({ maxMacs: budget }).value).toBe(Math.max(...table.rows.filter((r) => r.macs <= budget).map((r) => r.value)));
  });

  it('text, progress line and plot name the metric', () => {
    expect(formatFrontier(table).split('\n')[0]).toMatch(/ box AP +AP50 +step$/);
    expect(formatRowLine(table.rows[0]!, 1, 12, undefined, table.metric)).toBe(
      `[table 1/12] w=0.50 r=8 t=4  ${(table.rows[0]!.macs / 1e6).toFixed(2)} MFLOPs  box AP ${(100 * table.rows[0]!.value).toFixed(2)}%  AP50 ${(100 * table.rows[0]!.secondary!).toFixed(2)}%`,
    );
    const spec = plotSpec(table) as unknown as { layer: { encoding: { y?: { title?: string } } }[] };
    expect(spec.layer[0]!.encoding.y!.title).toBe('box AP (%)');
  });

  it('saves and loads with { anyMetric: true }; a plain load says the table is not top-1', async () => {
    const path = join(dir, 'ap.json');
    await saveQueryTable(table, path);
    const loaded = await loadQueryTable(path, { anyMetric: true });
    expect(loaded.rows).toEqual(table.rows);
    expect(loaded.metric).toEqual(table.metric);
    const e = await loadQueryTable(path).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(CheckpointError);
    expect((e as CheckpointError).message).toMatch(
      /a table of "box AP", not a top-1 classification table; load it with \{ anyMetric: true \}/,
    );
  });

  it('resumes from a file of the same metric, and refuses another metric or a bad evaluator result', async () => {
    calls.length = 0;
    const resumed = await evaluateGridToFile(join(dir, 'fresh.json'), model, GRID, null, calib.source, options);
    expect(calls).toHaveLength(12);
    calls.length = 0;
    const again = await evaluateGridToFile(join(dir, 'fresh.json'), model, GRID, null, calib.source, options);
    expect(calls).toHaveLength(0); // every row kept from the file
    expect(again.rows).toEqual(resumed.rows);
    await expect(
      evaluateGrid(model, GRID, null, calib.source, { ...options, metric: { name: 'mask AP' }, resumeFrom: table }),
    ).rejects.toThrow(/measures \{"name":"box AP","secondary":"AP50"\}, not \{"name":"mask AP"\}/);
    await expect(
      evaluateGrid(model, GRID, null, calib.source, { ...options, evaluate: async () => ({ value: 0.5, samples: 1 }) }),
    ).rejects.toThrow(/has no secondary value \(AP50\)/);
    await expect(
      evaluateGrid(model, GRID, null, calib.source, {
        ...options,
        evaluate: async () => ({ value: Number.NaN, secondary: 0, samples: 1 }),
      }),
    ).rejects.toThrow(ConfigError);
    // Without an evaluator, val is required.
    await expect(evaluateGrid(model, GRID, null as never, calib.source, { log: false })).rejects.toThrow(/val must be a batch source/);
  });
});

describe('version 1 table files (2D, top-1)', () => {
  it('load as top-1 tables with one view, and are rewritten as version 2', async () => {
    const path = new URL('v1-table.json', FIXTURES).pathname;
    const table = await loadQueryTable(path);
    expect(table.metric).toEqual({ name: 'top-1', secondary: 'top-5' });
    expect(table.rows.map((r) => [r.key, r.top1, r.top5, r.value, r.secondary, r.views])).toEqual([
      ['w0.500-r16', 0.25, 0.6, 0.25, 0.6, 1],
      ['w1.000-r16', 0.375, 0.75, 0.375, 0.75, 1],
      ['w0.500-r12', 0.125, 0.5, 0.125, 0.5, 1],
      ['w1.000-r12', 0.125, 0.5, 0.125, 0.5, 1],
    ]);
    expect(table.frontier.map((r) => r.key)).toEqual(['w0.500-r12', 'w0.500-r16', 'w1.000-r16']);
    expect(table.isVideo).toBe(false);
    expect(table.query({ maxMacs: 10_000 }).key).toBe('w0.500-r16');
    expect(table.statisticsFor('w1.000-r16')!.layers['stem.bn']!.mean).toEqual([1, 2]);
    const out = join(dir, 'v2.json');
    await saveQueryTable(table, out);
    const json = JSON.parse(await readFile(out, 'utf8'));
    expect(json.version).toBe(QUERY_TABLE_VERSION);
    expect((await loadQueryTable(out)).rows).toEqual(table.rows);
  });

  it('a broken version 1 row is a named error', async () => {
    const text = await readFile(new URL('v1-table.json', FIXTURES), 'utf8');
    const json = JSON.parse(text);
    delete json.rows[1].top5;
    const path = join(dir, 'broken-v1.json');
    await writeFile(path, JSON.stringify(json));
    const e = (await loadQueryTable(path).catch((err: unknown) => err)) as CheckpointError;
    expect(e).toBeInstanceOf(CheckpointError);
    expect(e.code).toBe('E_CHECKPOINT_FORMAT');
    expect(e.message).toMatch(/invalid adaptnet-query-table v1 file \(rows\.1\.top5: Required\)/);
  });
});
