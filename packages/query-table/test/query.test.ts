import { ConfigError, ConfigRangeError, Rng } from '@adaptnet/core';
import { describe, expect, it } from 'vitest';
import { type CostKind, paretoFrontier, QueryTable, type RowInit, type TableRow } from '../src/index.js';
import { randomRows } from './helpers/random-table.js';

const costOf = (r: TableRow, cost: CostKind) => (cost === 'macs' ? r.macs : r.latencyMs!);

/** The rule, written out: most accurate; then cheapest; then higher top-5; then the smaller key. */
function better(a: TableRow, b: TableRow, cost: CostKind): boolean {
  if (a.top1 !== b.top1) return a.top1 > b.top1;
  if (costOf(a, cost) !== costOf(b, cost)) return costOf(a, cost) < costOf(b, cost);
  if (a.top5 !== b.top5) return a.top5 > b.top5;
  return a.key < b.key;
}

/** Brute force: scan every row. */
function bestWithin(rows: readonly TableRow[], cost: CostKind, budget: number): TableRow | undefined {
  let best: TableRow | undefined;
  for (const r of rows) if (costOf(r, cost) <= budget && (best === undefined || better(r, best, cost))) best = r;
  return best;
}

/** By definition: a row is on the frontier iff it is the best row within its own cost. */
function bruteFrontier(rows: readonly TableRow[], cost: CostKind): Set<string> {
  return new Set(rows.filter((r) => bestWithin(rows, cost, costOf(r, cost)) === r).map((r) => r.key));
}

const SEEDS = Array.from({ length: 150 }, (_, i) => i + 1);

describe.each(['macs', 'latencyMs'] as const)('frontier by %s on random tables', (cost) => {
  it('is monotone: cost and top-1 strictly increase along it', () => {
    for (const seed of SEEDS) {
      const rows = randomRows(seed, 1 + (seed % 96));
      const f = paretoFrontier(rows, cost);
      expect(f.length).toBeGreaterThan(0);
      for (let i = 1; i < f.length; i++) {
        expect(costOf(f[i]!, cost)).toBeGreaterThan(costOf(f[i - 1]!, cost));
        expect(f[i]!.top1).toBeGreaterThan(f[i - 1]!.top1);
      }
    }
  });

  it('holds exactly the rows that are best within their own cost (brute force), every other row dominated', () => {
    for (const seed of SEEDS) {
      const rows = randomRows(seed, 1 + (seed % 96));
      const f = paretoFrontier(rows, cost);
      expect(new Set(f.map((r) => r.key))).toEqual(bruteFrontier(rows, cost));
      for (const r of rows) {
        expect(f.some((g) => costOf(g, cost) <= costOf(r, cost) && g.top1 >= r.top1)).toBe(true);
      }
    }
  });

  it('query returns the most accurate row within budget, as a brute-force scan does (ties, exact budgets)', () => {
    let checked = 0;
    for (const seed of SEEDS) {
      const rows = randomRows(seed, 1 + (seed % 96));
      const table = new QueryTable({ rows });
      const rng = new Rng(seed);
      const costs = rows.map((r) => costOf(r, cost));
      const lo = Math.min(...costs);
      const hi = Math.max(...costs);
      // Every row's exact cost, just below and above it, random budgets, and the unlimited budget.
      const budgets = [
        ...costs,
        ...costs.map((c) => c - 1e-9),
        ...costs.map((c) => c + 1e-9),
        ...Array.from({ length: 20 }, () => rng.uniform(lo, hi * 1.1)),
        Number.POSITIVE_INFINITY,
      ];
      for (const b of budgets) {
        const expected = bestWithin(rows, cost, b);
        const query = cost === 'macs' ? { maxMacs: b } : { maxLatencyMs: b };
        if (expected === undefined) {
          expect(() => table.query(query)).toThrow(ConfigRangeError);
        } else {
          expect(table.query(query).key).toBe(expected.key);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10_000);
  });
});

describe('QueryTable.query', () => {
  const rows = randomRows(42, 96);
  const table = new QueryTable({ rows });

  it('names the cheapest configuration and its cost when the budget is infeasible', () => {
    const first = (cost: CostKind) =>
      rows.reduce((a, b) => (costOf(a, cost) < costOf(b, cost) || (costOf(a, cost) === costOf(b, cost) && better(a, b, cost)) ? a : b));
    const cheapest = first('macs');
    expect(() => table.query({ maxMacs: cheapest.macs - 1 })).toThrow(ConfigRangeError);
    expect(() => table.query({ maxMacs: cheapest.macs - 1 })).toThrow(
      `maxMacs ${cheapest.macs - 1} is below the cheapest configuration in the table: ${cheapest.key} (width ${cheapest.config.width}, resolution ${cheapest.config.resolution}) at ${cheapest.macs} MACs`,
    );
    const fastest = first('latencyMs');
    expect(() => table.query({ maxLatencyMs: 0 })).toThrow(
      new RegExp(`maxLatencyMs 0 is below the cheapest configuration in the table: ${fastest.key}`),
    );
    expect(table.query({ maxMacs: cheapest.macs }).key).toBe(cheapest.key);
    // A command-line tool's flag: the value as typed and the allowed minimum in the flag's unit,
    // which, typed back, is feasible.
    const flag = { name: '--max-mflops', per: 1e6 };
    const typed = 0.0001;
    expect(() => table.query({ maxMacs: typed * 1e6, flag })).toThrow(
      new RegExp(
        `^--max-mflops 0\\.0001 is below the cheapest configuration in the table: ${cheapest.key} .*; allowed: --max-mflops >= ${cheapest.macs / 1e6}$`,
      ),
    );
    expect(table.query({ maxMacs: (cheapest.macs / 1e6) * 1e6, flag }).key).toBe(cheapest.key);
    expect(() => table.query({ maxLatencyMs: 0, flag: { name: '--max-ms', per: 1 } })).toThrow(
      /^--max-ms 0 is below .*; allowed: --max-ms >= [0-9.]+$/,
    );
  });

  it('rejects malformed budgets with a named error', () => {
    expect(() => table.query({} as never)).toThrow(/budget must be \{ maxMacs \} or \{ maxLatencyMs \}, got \{\}/);
    expect(() => table.query({ maxMacs: 1, maxLatencyMs: 2 } as never)).toThrow(ConfigError);
    expect(() => table.query({ maxMacs: Number.NaN })).toThrow(/maxMacs must be a number/);
    expect(() => table.query({ maxMacs: '5' } as never)).toThrow(ConfigError);
  });

  it('refuses a latency budget on a table built without latency, saying how to build one', () => {
    const plain = new QueryTable({ rows: randomRows(3, 20, false) });
    expect(plain.hasLatency).toBe(false);
    expect(() => plain.query({ maxLatencyMs: 5 })).toThrow(ConfigError);
    expect(() => plain.query({ maxLatencyMs: 5 })).toThrow(
      /built without latency measurement.*`table --latency-runs 20`.*latency: \{ runs: 20 \}/,
    );
    expect(plain.query({ maxMacs: Number.POSITIVE_INFINITY }).top1).toBe(Math.max(...plain.rows.map((r) => r.top1)));
  });

  it('answers in microseconds on a large table', () => {
    const big: RowInit[] = Array.from({ length: 20_000 }, (_, i) => ({
      config: { width: 0.25 + (i % 100) / 200, resolution: 100 + Math.floor(i / 100) },
      key: `w${(0.25 + (i % 100) / 200).toFixed(3)}-r${100 + Math.floor(i / 100)}`,
      macs: 1000 + i * 7,
      params: 10,
      top1: i / 20_000,
      top5: 1,
      samples: 10,
    }));
    const t = new QueryTable({ rows: big });
    const n = 100_000;
    let sink = 0;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) sink += t.query({ maxMacs: 1000 + ((i * 7919) % 140_000) }).macs;
    const perQueryUs = ((performance.now() - t0) * 1000) / n;
    expect(sink).toBeGreaterThan(0);
    expect(perQueryUs).toBeLessThan(20);
  });

  it('rejects inconsistent rows with a named error', () => {
    const r = rows[0]!;
    expect(() => new QueryTable({ rows: [r, r] })).toThrow(`the table has two rows for ${r.key}`);
    expect(() => new QueryTable({ rows: [{ ...r, key: 'w9' }] })).toThrow(/key must be configKey\(config\)/);
    expect(() => new QueryTable({ rows: [{ ...r, top1: 1.5, value: 1.5 }] })).toThrow(/top1 must be a fraction in \[0, 1\], got 1.5/);
    expect(() => new QueryTable({ rows: [{ ...r, macs: -3 }] })).toThrow(/macs must be an integer >= 0, got -3/);
    const { latencyMs: _, ...noLatency } = rows[1]!;
    expect(() => new QueryTable({ rows: [r, noLatency] })).toThrow(/1 of 2 rows have no latencyMs/);
  });
});
