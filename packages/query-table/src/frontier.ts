import { ConfigError, type SubnetConfig } from '@adaptnet/core';
import type { CostKind, Dimension, FrontierStep, MetricRow, StepChange } from './types.js';

export function costOfRow(row: MetricRow, cost: CostKind): number {
  const c = cost === 'macs' ? row.macs : row.latencyMs;
  if (c === undefined) throw new ConfigError(`row ${row.key} has no ${cost}; the table was built without latency measurement`);
  return c;
}

/**
 * The order rows are preferred in at equal cost: higher metric value, then higher secondary metric
 * (top-5 for top-1), then the smaller key (so the choice never depends on row order).
 */
export function compareAccuracy(a: MetricRow, b: MetricRow): number {
  return b.value - a.value || (b.secondary ?? 0) - (a.secondary ?? 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * The Pareto frontier by `cost`: sorted by cost ascending (ties: `compareAccuracy`), the rows whose
 * metric value is strictly greater than that of every row before them. Along it cost and value both
 * strictly increase, and the last row with cost ≤ B is the best row within budget B.
 */
export function paretoFrontier<R extends MetricRow>(rows: readonly R[], cost: CostKind): R[] {
  const sorted = [...rows].sort((a, b) => costOfRow(a, cost) - costOfRow(b, cost) || compareAccuracy(a, b));
  const frontier: R[] = [];
  let best = Number.NEGATIVE_INFINITY;
  for (const row of sorted) {
    if (row.value > best) {
      frontier.push(row);
      best = row.value;
    }
  }
  return frontier;
}

/** The dimensions in which two configurations differ: width, spatial (resolution), temporal (frames). */
export function changedDimensions(from: SubnetConfig, to: SubnetConfig): Dimension[] {
  const out: Dimension[] = [];
  if (from.width.toFixed(3) !== to.width.toFixed(3)) out.push('width');
  if (from.resolution !== to.resolution) out.push('spatial');
  if (from.frames !== to.frames) out.push('temporal');
  return out;
}

/**
 * TPAMI Fig. 18's reading of a frontier: for every row (cheapest first), which dimension changed
 * from the previous frontier row — one of width, spatial, temporal, or `'several'`.
 */
export function frontierSteps<R extends MetricRow>(frontier: readonly R[]): FrontierStep<R>[] {
  return frontier.map((row, i) => {
    const previous = frontier[i - 1];
    if (previous === undefined) return { row, change: null, dimensions: [] };
    const dimensions = changedDimensions(previous.config, row.config);
    const change: StepChange = dimensions.length === 1 ? (dimensions[0] as Dimension) : 'several';
    return { row, change, dimensions };
  });
}
