import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { CheckpointError } from '@adaptnet/core';
import { writeFileAtomic } from '@adaptnet/core/node';
import { type EvaluateGridOptions, evaluateGrid, type GridModel } from '../evaluate-grid.js';
import { QueryTable } from '../query-table.js';
import type { EvalBatchSource, GridSpec } from '../types.js';

/** Writes the table as JSON atomically (temp file + rename), e.g. next to the weights. */
export async function saveQueryTable(table: QueryTable, path: string): Promise<void> {
  await writeFileAtomic(path, table.stringify());
}

/** Reads and validates a table file; a missing file is `E_CHECKPOINT_MISSING`, unparsable JSON `E_CHECKPOINT_CORRUPT`. */
export async function loadQueryTable(path: string): Promise<QueryTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CheckpointError('E_CHECKPOINT_MISSING', `no query table at ${path}`);
    throw new CheckpointError('E_CHECKPOINT_CORRUPT', `cannot read the query table ${path}: ${(e as Error).message}`);
  }
  return QueryTable.parse(text, path);
}

/**
 * `evaluateGrid` checkpointed to `path`: resumes from the table there if one exists, and rewrites it
 * atomically after every row, so an interrupted run loses at most the row in progress.
 */
export async function evaluateGridToFile(
  path: string,
  model: GridModel,
  grid: GridSpec,
  val: EvalBatchSource,
  calib: EvalBatchSource,
  options: Omit<EvaluateGridOptions, 'resumeFrom' | 'checkpoint'> = {},
): Promise<QueryTable> {
  const resumeFrom = existsSync(path) ? await loadQueryTable(path) : undefined;
  return evaluateGrid(model, grid, val, calib, {
    ...options,
    ...(resumeFrom === undefined ? {} : { resumeFrom }),
    checkpoint: (table) => saveQueryTable(table, path),
  });
}
