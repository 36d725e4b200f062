import { formatMflops, formatMflopsValue, MFLOPS_UNIT } from '@adaptnet/flops';
import { formatPercent } from './format-values.js';
import { noLatencyError, type QueryTable } from './query-table.js';
import type { CostKind, TableRow } from './types.js';

/** The progress line of one configuration, e.g. `[table 12/64] w=0.50 r=20  1.99 MFLOPs  top-1 87.66%  top-5 99.10%  (3.1 s)`. */
export function formatRowLine(row: TableRow, done: number, total: number, seconds?: number): string {
  const parts = [
    `[table ${done}/${total}] w=${row.config.width.toFixed(2)} r=${row.config.resolution}`,
    formatMflops(row.macs),
    `top-1 ${formatPercent(row.top1)}`,
    `top-5 ${formatPercent(row.top5)}`,
  ];
  if (row.latencyMs !== undefined) parts.push(`${row.latencyMs.toFixed(2)} ms`);
  if (seconds !== undefined) parts.push(`(${seconds.toFixed(1)} s)`);
  return parts.join('  ');
}

export interface FormatFrontierOptions {
  /** Which frontier: by MACs (default) or by latency. */
  readonly cost?: CostKind;
  /** Every row (sorted by cost, frontier rows marked `*`) instead of the frontier only. Default false. */
  readonly all?: boolean;
}

/**
 * A plain-text table of the frontier, cheapest first: width, resolution, MFLOPs, params, top-1,
 * top-5 (and latency when measured).
 */
export function formatFrontier(table: QueryTable, options: FormatFrontierOptions = {}): string {
  const cost = options.cost ?? 'macs';
  const frontier = cost === 'macs' ? table.frontier : table.latencyFrontier;
  if (cost === 'latencyMs' && !table.hasLatency) throw noLatencyError();
  const onFrontier = new Set(frontier.map((r) => r.key));
  const rows = options.all
    ? [...table.rows].sort((a, b) => (cost === 'macs' ? a.macs - b.macs : (a.latencyMs as number) - (b.latencyMs as number)))
    : frontier;
  const header = ['width', 'resolution', MFLOPS_UNIT, 'params', 'top-1', 'top-5', ...(table.hasLatency ? ['latency ms'] : [])];
  const cells = rows.map((r) => [
    `${options.all && onFrontier.has(r.key) ? '*' : ''}${r.config.width.toFixed(2)}`,
    String(r.config.resolution),
    formatMflopsValue(r.macs),
    r.params.toLocaleString('en-US'),
    formatPercent(r.top1),
    formatPercent(r.top5),
    ...(table.hasLatency ? [(r.latencyMs as number).toFixed(3)] : []),
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
