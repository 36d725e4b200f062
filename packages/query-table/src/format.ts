import { formatMflops, formatMflopsValue, MFLOPS_UNIT } from '@adaptnet/flops';
import { formatPercent } from './format-values.js';
import { noLatencyError, type QueryTable } from './query-table.js';
import { type CostKind, type MetricInfo, type MetricRow, type RowInit, TOP1_METRIC } from './types.js';

/** A metric value: a percentage for fractions (accuracies, AP in [0, 1]), else 4 decimals. */
function formatValue(value: number, asPercent: boolean): string {
  return asPercent ? formatPercent(value) : value.toFixed(4);
}

const isFraction = (v: number | undefined): boolean => v === undefined || (v >= 0 && v <= 1);

/**
 * The progress line of one configuration, e.g. `[table 12/64] w=0.50 r=20  1.99 MFLOPs  top-1 87.66%  top-5 99.10%  (3.1 s)`
 * (video: `w=0.63 r=40 t=5`, and `× 3 views` after the MFLOPs of one view).
 */
export function formatRowLine(row: RowInit, done: number, total: number, seconds?: number, metric: MetricInfo = TOP1_METRIC): string {
  const value = row.value ?? row.top1 ?? Number.NaN;
  const secondary = row.secondary ?? (metric.name === TOP1_METRIC.name ? row.top5 : undefined);
  const asPercent = isFraction(value) && isFraction(secondary);
  const views = row.views ?? 1;
  const frames = row.config.frames === undefined ? '' : ` t=${row.config.frames}`;
  const parts = [
    `[table ${done}/${total}] w=${row.config.width.toFixed(2)} r=${row.config.resolution}${frames}`,
    `${formatMflops(row.macs)}${views > 1 ? ` × ${views} views` : ''}`,
    `${metric.name} ${formatValue(value, asPercent)}`,
  ];
  if (metric.secondary !== undefined && secondary !== undefined) parts.push(`${metric.secondary} ${formatValue(secondary, asPercent)}`);
  if (row.latencyMs !== undefined) parts.push(`${row.latencyMs.toFixed(2)} ms`);
  if (seconds !== undefined) parts.push(`(${seconds.toFixed(1)} s)`);
  return parts.join('  ');
}

export interface FormatFrontierOptions {
  /** Which frontier: by MACs (default) or by latency. */
  readonly cost?: CostKind;
  /** Every row (sorted by cost, frontier rows marked `*`) instead of the frontier only. Default false. */
  readonly all?: boolean;
  /** The `step` column (the dimension each frontier step changes). Default: on for video tables, off for 2D ones. */
  readonly steps?: boolean;
}

/**
 * A plain-text table of the frontier, cheapest first: width, resolution (frames for video tables),
 * MFLOPs (per view, `× views` when multi-view), params, the metric (top-1, top-5), latency when
 * measured, and (video tables, or `steps: true`) `step`: the dimension each frontier step changes
 * from the previous frontier row (width, spatial, temporal or several; TPAMI Fig. 18).
 */
export function formatFrontier<R extends MetricRow>(table: QueryTable<R>, options: FormatFrontierOptions = {}): string {
  const cost = options.cost ?? 'macs';
  if (cost === 'latencyMs' && !table.hasLatency) throw noLatencyError();
  const steps = new Map(table.frontierSteps(cost).map((s) => [s.row.key, s.change]));
  const rows = options.all
    ? [...table.rows].sort((a, b) => (cost === 'macs' ? a.macs - b.macs : (a.latencyMs as number) - (b.latencyMs as number)))
    : table.frontierSteps(cost).map((s) => s.row);
  const video = table.isVideo;
  const showSteps = options.steps ?? video;
  const multiView = table.views > 1;
  const metric = table.metric;
  const asPercent = table.rows.every((r) => isFraction(r.value) && isFraction(r.secondary));
  const header = [
    'width',
    'resolution',
    ...(video ? ['frames'] : []),
    multiView ? `${MFLOPS_UNIT} × views` : MFLOPS_UNIT,
    'params',
    metric.name,
    ...(metric.secondary === undefined ? [] : [metric.secondary]),
    ...(table.hasLatency ? ['latency ms'] : []),
    ...(showSteps ? ['step'] : []),
  ];
  const cells = rows.map((r) => [
    `${options.all && steps.has(r.key) ? '*' : ''}${r.config.width.toFixed(2)}`,
    String(r.config.resolution),
    ...(video ? [String(r.config.frames ?? '-')] : []),
    `${formatMflopsValue(r.macs)}${multiView ? ` × ${r.views}` : ''}`,
    r.params.toLocaleString('en-US'),
    formatValue(r.value, asPercent),
    ...(metric.secondary === undefined ? [] : [r.secondary === undefined ? '-' : formatValue(r.secondary, asPercent)]),
    ...(table.hasLatency ? [(r.latencyMs as number).toFixed(3)] : []),
    ...(showSteps ? [steps.has(r.key) ? (steps.get(r.key) ?? '-') : ''] : []),
  ]);
  const all = [header, ...cells];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => c.padStart(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
