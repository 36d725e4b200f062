import { ConfigError } from '@adaptnet/core';
import { formatMflops } from '@adaptnet/flops';
import type { Budget, TableRow } from '@adaptnet/query-table';
import type { Output } from '../output.js';
import { loadVerifiedTable, openRun, retrainCommand } from '../run-folder.js';

export interface BudgetFlags {
  readonly maxGflops?: number;
  readonly maxMflops?: number;
  readonly maxMs?: number;
}

/** `--max-gflops` / `--max-mflops` (multiply-adds per view) / `--max-ms` → a table budget; none → the most accurate configuration. */
export function budgetOf(flags: BudgetFlags): Budget | undefined {
  const given = (['maxGflops', 'maxMflops', 'maxMs'] as const).filter((k) => flags[k] !== undefined);
  if (given.length > 1) throw new ConfigError('give one budget: --max-gflops, --max-mflops or --max-ms');
  if (flags.maxGflops !== undefined) return { maxMacs: flags.maxGflops * 1e9, flag: { name: '--max-gflops', per: 1e9 } };
  if (flags.maxMflops !== undefined) return { maxMacs: flags.maxMflops * 1e6, flag: { name: '--max-mflops', per: 1e6 } };
  if (flags.maxMs !== undefined) return { maxLatencyMs: flags.maxMs, flag: { name: '--max-ms', per: 1 } };
  return undefined;
}

/** `width 0.75 resolution 24 frames 5: 3.12 MFLOPs per view × 1 view, top-1 81.25%`. */
export function describeRow(row: TableRow): string {
  const latency = row.latencyMs === undefined ? '' : `, ${row.latencyMs.toFixed(2)} ms`;
  const views = row.views > 1 ? ` × ${row.views} views` : '';
  return `width ${row.config.width} resolution ${row.config.resolution} frames ${row.config.frames}: ${formatMflops(row.macs)} per view${views}${latency}, top-1 ${(row.top1 * 100).toFixed(2)}%`;
}

export interface QueryFlags extends BudgetFlags {
  readonly run: string;
  readonly table?: string;
  readonly json?: boolean;
}

/** `adaptnet-video query`: the most accurate configuration within a budget. */
export async function queryCommand(flags: QueryFlags, out: Output): Promise<TableRow> {
  const budget = budgetOf(flags);
  const { folder } = await openRun(flags.run);
  if (flags.table === undefined) await folder.verifyCheckpoint('model', retrainCommand(flags.run));
  const table = await loadVerifiedTable(folder, flags.table);
  const row = budget === undefined ? (table.frontier[table.frontier.length - 1] as TableRow) : table.query(budget);
  out.result(flags.json ? JSON.stringify(row) : describeRow(row));
  return row;
}
