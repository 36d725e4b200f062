import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointError, ConfigError } from '@adaptnet/core';
import type { BnStatistics } from '@adaptnet/norm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUERY_TABLE_FORMAT, QueryTable, type TableRow } from '../src/index.js';
import { loadQueryTable, saveQueryTable } from '../src/node.js';
import { randomRows } from './helpers/random-table.js';

function fakeStatistics(row: TableRow, seed: number): BnStatistics {
  return {
    format: 'adaptnet-bn-statistics',
    version: 1,
    config: row.config,
    layers: { 'block.bn': { key: row.key, mean: [seed / 7, -1 / 3], variance: [1 + seed / 3, 0.25] } },
  };
}

const rows = randomRows(11, 40);
const statistics = new Map(rows.map((r, i) => [r.key, fakeStatistics(r, i)]));
const grid = {
  widths: [...new Set(rows.map((r) => r.config.width))],
  resolutions: [...new Set(rows.map((r) => r.config.resolution))],
};
const table = new QueryTable({ rows, statistics, model: { name: 'toy', architecture: 'toy-net' }, grid, complete: false });

let dir: string;
let path: string;
let text: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'query-table-'));
  path = join(dir, 'table.json');
  await saveQueryTable(table, path);
  text = await readFile(path, 'utf8');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Writes an edited copy of the saved file and loads it. */
async function loadEdited(edit: (json: Record<string, unknown> & { rows: Record<string, unknown>[] }) => unknown): Promise<QueryTable> {
  const edited = join(dir, 'edited.json');
  await writeFile(edited, JSON.stringify(edit(JSON.parse(text))));
  return loadQueryTable(edited);
}

async function failure(p: Promise<unknown>): Promise<CheckpointError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CheckpointError);
  return e as CheckpointError;
}

describe('the table file', () => {
  it('round-trips rows, frontiers and the frontier statistics only', async () => {
    const loaded = await loadQueryTable(path);
    expect(loaded.rows).toEqual(table.rows);
    expect(loaded.frontier.map((r) => r.key)).toEqual(table.frontier.map((r) => r.key));
    expect(loaded.latencyFrontier.map((r) => r.key)).toEqual(table.latencyFrontier.map((r) => r.key));
    expect(loaded.model).toEqual({ name: 'toy', architecture: 'toy-net' });
    expect(loaded.complete).toBe(false);
    expect(loaded.createdAt).toBe(table.createdAt);
    const json = JSON.parse(text);
    expect(json.format).toBe(QUERY_TABLE_FORMAT);
    expect(json.version).toBe(2);
    expect(json.metric).toEqual({ name: 'top-1', secondary: 'top-5' });
    // value / secondary are the generic metric; top-1 tables keep top1 / top5 for readers of the JSON.
    expect(json.rows[0]).toMatchObject({
      value: rows[0]!.top1,
      secondary: rows[0]!.top5,
      top1: rows[0]!.top1,
      top5: rows[0]!.top5,
      views: 1,
    });
    expect(loaded.rows[0]).toMatchObject({ top1: rows[0]!.top1, top5: rows[0]!.top5, value: rows[0]!.top1, views: 1 });
    const onFrontier = new Set([...table.frontier, ...table.latencyFrontier].map((r) => r.key));
    expect(new Set(Object.keys(json.bnStatistics))).toEqual(onFrontier);
    expect(onFrontier.size).toBeLessThan(rows.length);
    for (const key of onFrontier) expect(loaded.statisticsFor(key)).toEqual(statistics.get(key));
    for (const r of rows) if (!onFrontier.has(r.key)) expect(loaded.statisticsFor(r.key)).toBeUndefined();
    // One line per row: readable and diffable.
    expect(text.split('\n').filter((l) => l.startsWith('    {"config"'))).toHaveLength(rows.length);
  });

  it('a missing file, truncated JSON or a foreign file is a named error', async () => {
    const missing = await failure(loadQueryTable(join(dir, 'nope.json')));
    expect(missing.code).toBe('E_CHECKPOINT_MISSING');
    expect(missing.message).toContain(join(dir, 'nope.json'));

    const truncatedPath = join(dir, 'truncated.json');
    await writeFile(truncatedPath, text.slice(0, text.length / 2));
    const truncated = await failure(loadQueryTable(truncatedPath));
    expect(truncated.code).toBe('E_CHECKPOINT_CORRUPT');
    expect(truncated.message).toMatch(new RegExp(`^${truncatedPath}: not valid JSON \\(truncated or edited\\?\\)`));

    const manifest = await failure(loadEdited(() => ({ format: 'adaptnet-checkpoint', formatVersion: 1, weightsManifest: [] })));
    expect(manifest.code).toBe('E_CHECKPOINT_FORMAT');
    expect(manifest.message).toMatch(/edited\.json: not an adaptnet-query-table file \(format is "adaptnet-checkpoint"\)/);
    expect((await failure(loadEdited(() => [1, 2]))).message).toMatch(/expected a JSON object/);
    expect((await failure(loadEdited(() => ({})))).message).toMatch(/format is missing/);
  });

  it('a hand-edited schema violation names the field', async () => {
    const version = await failure(loadEdited((j) => ({ ...j, version: 3 })));
    expect(version.code).toBe('E_CHECKPOINT_FORMAT');
    expect(version.message).toMatch(/adaptnet-query-table version 3 is not supported; this build reads versions 1 and 2/);

    const dropped = await failure(
      loadEdited((j) => {
        delete j.rows[2]!.macs;
        return j;
      }),
    );
    expect(dropped.code).toBe('E_CHECKPOINT_FORMAT');
    expect(dropped.message).toMatch(/edited\.json: invalid adaptnet-query-table v2 file \(rows\.2\.macs: Required\)/);

    const stringMacs = await failure(
      loadEdited((j) => {
        j.rows[0]!.macs = '12M';
        return j;
      }),
    );
    expect(stringMacs.message).toMatch(/rows\.0\.macs: Expected number, received string/);

    const noStatsFormat = await failure(
      loadEdited((j) => {
        const stats = j.bnStatistics as Record<string, { layers: Record<string, { variance: number[] }> }>;
        const first = Object.keys(stats)[0]!;
        stats[first]!.layers['block.bn']!.variance[0] = -1;
        return j;
      }),
    );
    expect(noStatsFormat.message).toMatch(
      /bnStatistics\.w[\d.]+-r\d+\.layers\.block\.bn\.variance\.0: Number must be greater than or equal to 0/,
    );

    const noCreated = await failure(
      loadEdited((j) => {
        delete j.createdAt;
        return j;
      }),
    );
    expect(noCreated.message).toMatch(/createdAt: Required/);
  });

  it('hand-edited contents that no longer agree with each other are a named error', async () => {
    const f0 = table.frontier[0]!.key;
    const cases: [string, (j: Record<string, unknown> & { rows: Record<string, unknown>[] }) => unknown, RegExp][] = [
      [
        'frontier keys',
        (j) => ({ ...j, frontierKeys: (j.frontierKeys as string[]).slice(1) }),
        /frontierKeys \[.*\] is not the frontier of the rows/,
      ],
      [
        'an accuracy',
        (j) => {
          const row = j.rows.find((r) => r.key === f0)!;
          row.value = 0;
          row.secondary = 0;
          row.top1 = 0;
          row.top5 = 0;
          return j;
        },
        /is not the frontier of the rows/,
      ],
      [
        'statistics',
        (j) => {
          delete (j.bnStatistics as Record<string, unknown>)[f0];
          return j;
        },
        new RegExp(`bnStatistics has no entry for frontier configuration ${f0}`),
      ],
      [
        'a key',
        (j) => {
          j.rows[1]!.key = 'w0.999-r1';
          return j;
        },
        /key must be configKey\(config\)/,
      ],
      ['a duplicated row', (j) => ({ ...j, rows: [...j.rows, j.rows[0]] }), /two rows for/],
      [
        'top1 against value',
        (j) => {
          j.rows[0]!.top1 = (j.rows[0]!.value as number) / 2;
          return j;
        },
        /value [\d.]+ and top1 [\d.]+ disagree/,
      ],
      [
        'one latency',
        (j) => {
          delete j.rows[3]!.latencyMs;
          return j;
        },
        /latency must be measured for every row or none/,
      ],
      ['the grid', (j) => ({ ...j, grid: { widths: [0.25], resolutions: [128] } }), /is outside the grid/],
      ['completeness', (j) => ({ ...j, complete: true }), /marked complete but has 40 rows for a grid of \d+ configurations/],
    ];
    for (const [what, edit, message] of cases) {
      const e = await failure(loadEdited(edit));
      expect(e.code, what).toBe('E_CHECKPOINT_CORRUPT');
      expect(e.message, what).toMatch(message);
      expect(e.message.startsWith(join(dir, 'edited.json')), what).toBe(true);
    }
  });

  it('fromJSON names its source, and a table without frontier statistics cannot be written', () => {
    expect(() => QueryTable.fromJSON({ format: 'x' }, 'memory')).toThrow(/^memory: not an adaptnet-query-table file/);
    const bare = new QueryTable({ rows });
    expect(() => bare.toJSON()).toThrow(ConfigError);
    expect(() => bare.toJSON()).toThrow(new RegExp(`no BN statistics for frontier configurations ${bare.frontier[0]!.key}`));
    expect(() => new QueryTable({ rows: rows.slice(1), statistics: { [rows[0]!.key]: statistics.get(rows[0]!.key)! } })).toThrow(
      /not a row of the table/,
    );
    const wrong = { ...statistics.get(rows[0]!.key)!, config: rows[1]!.config };
    expect(() => new QueryTable({ rows, statistics: { [rows[0]!.key]: wrong } })).toThrow(
      `the BN statistics stored under ${rows[0]!.key} are for ${rows[1]!.key}`,
    );
  });

  it('applyStatistics refuses a configuration the table ships no statistics for', () => {
    const off = rows.find((r) => table.statisticsFor(r.key) === undefined)!;
    const model = {} as never;
    expect(() => table.applyStatistics(model, off.config)).toThrow(
      new RegExp(`${off.key} is not on a frontier; the table ships BN statistics for its frontier configurations only: w`),
    );
    expect(() => table.applyStatistics(model, { width: 0.123, resolution: 1 })).toThrow(/w0.123-r1 is not in the table/);
  });
});
