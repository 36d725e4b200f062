import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { CheckpointError } from '@adaptnet/core';
import { writeFileAtomic } from '@adaptnet/core/node';
import {
  type EvaluateGridOptions,
  evaluateGrid,
  type GridModel,
  gridSettingsDifferences,
  type MetricGridOptions,
} from '../evaluate-grid.js';
import { type LoadTableOptions, QueryTable } from '../query-table.js';
import type { EvalBatchSource, GridSpec, MetricRow, TableRow } from '../types.js';

/** Writes the table as JSON atomically (temp file + rename), e.g. next to the weights. */
export async function saveQueryTable<R extends MetricRow>(table: QueryTable<R>, path: string): Promise<void> {
  await writeFileAtomic(path, table.stringify());
}

/**
 * Reads and validates a table file (version 1 files are read as version 2); a missing file is
 * `E_CHECKPOINT_MISSING`, unparsable JSON `E_CHECKPOINT_CORRUPT`. A table of another metric than
 * top-1 needs `{ anyMetric: true }`.
 */
export async function loadQueryTable(path: string, options?: { readonly anyMetric?: false }): Promise<QueryTable<TableRow>>;
export async function loadQueryTable(path: string, options: LoadTableOptions): Promise<QueryTable<MetricRow>>;
export async function loadQueryTable(path: string, options: LoadTableOptions = {}): Promise<QueryTable<MetricRow>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CheckpointError('E_CHECKPOINT_MISSING', `no query table at ${path}`);
    throw new CheckpointError('E_CHECKPOINT_CORRUPT', `cannot read the query table ${path}: ${(e as Error).message}`);
  }
  return QueryTable.parse(text, path, options);
}

export interface ToFileOptions {
  /**
   * Called when the table at `path` was measured with other settings (calibration samples,
   * batches, latency), with what differs; once it returns (having moved the file aside), the build
   * starts over. Without it such a table is refused, as `evaluateGrid` refuses it.
   */
  readonly onSettingsChanged?: (differences: readonly string[]) => Promise<void>;
}

/**
 * `evaluateGrid` checkpointed to `path`: resumes from the table there if one exists, and rewrites it
 * atomically after every row, so an interrupted run loses at most the row in progress.
 */
export function evaluateGridToFile(
  path: string,
  model: GridModel,
  grid: GridSpec,
  val: EvalBatchSource | null,
  calib: EvalBatchSource,
  options: Omit<MetricGridOptions, 'resumeFrom' | 'checkpoint'> & ToFileOptions,
): Promise<QueryTable<MetricRow>>;
export function evaluateGridToFile(
  path: string,
  model: GridModel,
  grid: GridSpec,
  val: EvalBatchSource,
  calib: EvalBatchSource,
  options?: Omit<EvaluateGridOptions, 'resumeFrom' | 'checkpoint'> & ToFileOptions,
): Promise<QueryTable<TableRow>>;
export async function evaluateGridToFile(
  path: string,
  model: GridModel,
  grid: GridSpec,
  val: EvalBatchSource | null,
  calib: EvalBatchSource,
  allOptions: Omit<EvaluateGridOptions | MetricGridOptions, 'resumeFrom' | 'checkpoint'> & ToFileOptions = {},
): Promise<QueryTable<MetricRow>> {
  const { onSettingsChanged, ...options } = allOptions;
  let resumeFrom = existsSync(path) ? await loadQueryTable(path, { anyMetric: true }) : undefined;
  if (resumeFrom !== undefined && onSettingsChanged !== undefined) {
    const differences = gridSettingsDifferences(resumeFrom, options);
    if (differences.length > 0) {
      await onSettingsChanged(differences);
      resumeFrom = undefined;
    }
  }
  const full = {
    ...options,
    ...(resumeFrom === undefined ? {} : { resumeFrom }),
    checkpoint: (table: QueryTable<MetricRow>) => saveQueryTable(table, path),
  };
  return 'evaluate' in full && full.evaluate !== undefined
    ? evaluateGrid(model, grid, val, calib, full as MetricGridOptions)
    : evaluateGrid(model, grid, val as EvalBatchSource, calib, full);
}
