import { ConfigError, type SubnetConfig } from '@adaptnet/core';
import { formatMflops } from '@adaptnet/flops';
import type { MetricRow, QueryTable } from '@adaptnet/query-table';
import { MODEL_DIR } from '@adaptnet/train';
import { type CliOutput, loadVerifiedMetricTable, TABLE_FILE } from '@adaptnet/train/node';
import { type DetectRun, openRun, rebuildTableCommand, retrainCommand } from '../run-folder.js';
import { BOX_AP_METRIC } from './table.js';

export interface BudgetFlags {
  readonly maxMflops?: number;
}

/** The run's table after checking it: present, finished, recorded and unmodified, built on the weights the run holds now. */
export async function loadVerifiedTable(folder: DetectRun): Promise<QueryTable<MetricRow>> {
  await folder.verifyCheckpoint(MODEL_DIR, retrainCommand(folder.dir));
  const table = await loadVerifiedMetricTable(folder, { rebuild: rebuildTableCommand(folder.dir) });
  if (table.metric.name !== BOX_AP_METRIC.name) {
    throw new ConfigError(`${folder.path(TABLE_FILE)} measures ${table.metric.name}, not ${BOX_AP_METRIC.name}`);
  }
  return table;
}

export function describeRow(row: MetricRow): string {
  return `width ${row.config.width} size ${row.config.resolution}: ${formatMflops(row.macs)}, box AP ${(100 * row.value).toFixed(1)} (AP50 ${(100 * (row.secondary ?? Number.NaN)).toFixed(1)})`;
}

/** The table's best row within the budget (none: the most accurate). */
export function bestRow(table: QueryTable<MetricRow>, flags: BudgetFlags): MetricRow {
  return flags.maxMflops === undefined
    ? (table.frontier[table.frontier.length - 1] as MetricRow)
    : table.query({ maxMacs: flags.maxMflops * 1e6, flag: { name: '--max-mflops', per: 1e6 } });
}

/**
 * The configuration to run: --width/--size when given, else the table's best within the budget
 * (then `table` is returned too: its stored BN statistics replace calibration).
 */
export async function selectConfig(
  folder: DetectRun,
  flags: BudgetFlags & { width?: number; size?: number },
  trainedSizes: readonly number[],
  defaultWidth = 1,
): Promise<{ config: SubnetConfig; table?: QueryTable<MetricRow> }> {
  if (flags.width !== undefined || flags.size !== undefined) {
    if (flags.maxMflops !== undefined) throw new ConfigError('give either --max-mflops or --width/--size, not both');
    const size = flags.size ?? Math.max(...trainedSizes);
    if (!trainedSizes.includes(size)) throw new ConfigError(`--size ${size} was not trained (trained: ${trainedSizes.join(', ')})`);
    return { config: { width: flags.width ?? defaultWidth, resolution: size } };
  }
  const table = await loadVerifiedTable(folder);
  return { config: bestRow(table, flags).config, table };
}

export interface QueryFlags extends BudgetFlags {
  readonly run: string;
  readonly json?: boolean;
}

/** `adaptnet-detect query`: the configuration with the highest box AP within a budget. */
export async function queryCommand(flags: QueryFlags, out: CliOutput): Promise<MetricRow> {
  const folder = await openRun(flags.run);
  const row = bestRow(await loadVerifiedTable(folder), flags);
  out.result(flags.json ? JSON.stringify(row) : describeRow(row));
  return row;
}
