import { ConfigError } from '@adaptnet/core';
import type { CostKind, TableRow } from './types.js';

export function costOfRow(row: TableRow, cost: CostKind): number {
  const c = cost === 'macs' ? row.macs : row.latencyMs;
  if (c === undefined) throw new ConfigError(`row ${row.key} has no ${cost}; the table was built without latency measurement`);
  return c;
}

/**
 * The order rows are preferred in at equal cost: higher top-1, then higher top-5, then the smaller
 * key (so the choice never depends on row order).
 */
export function compareAccuracy(a: TableRow, b: TableRow): number {
  return b.top1 - a.top1 || b.top5 - a.top5 || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * The Pareto frontier by `cost`: sorted by cost ascending (ties: `compareAccuracy`), the rows whose
 * top-1 is strictly greater than that of every row before them. Along it cost and top-1 both
 * strictly increase, and the last row with cost ≤ B is the most accurate row within budget B.
 */
export function paretoFrontier(rows: readonly TableRow[], cost: CostKind): TableRow[] {
  const sorted = [...rows].sort((a, b) => costOfRow(a, cost) - costOfRow(b, cost) || compareAccuracy(a, b));
  const frontier: TableRow[] = [];
  let best = Number.NEGATIVE_INFINITY;
  for (const row of sorted) {
    if (row.top1 > best) {
      frontier.push(row);
      best = row.top1;
    }
  }
  return frontier;
}
