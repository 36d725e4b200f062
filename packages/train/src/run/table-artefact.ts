import { readFile } from 'node:fs/promises';
import type { Module } from '@adaptnet/core';
import { type MetricRow, type QueryTable, type TableRow, weightsFingerprint } from '@adaptnet/query-table';
import { loadQueryTable } from '@adaptnet/query-table/node';
import { StaleArtefactError } from './errors.js';
import { canonicalJson, sha256Hex } from './hash.js';
import { checkInputFile, INPUT_LIMITS } from './input-file.js';
import type { RunFolder } from './run-folder.js';

/** The query table's name inside a run folder. */
export const TABLE_FILE = 'table.json';

/** Content hash of a table file: its JSON without `createdAt` (canonical), so equal tables hash equally. */
export async function tableSha256(path: string): Promise<string> {
  const { createdAt: _c, ...content } = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  return sha256Hex(canonicalJson(content));
}

export interface VerifiedTableOptions {
  /** The command that rebuilds the table, named in every error (e.g. `adaptnet-classify table --run DIR`). */
  readonly rebuild: string;
  /** A `--table` file instead of the run's: only size-checked and parsed (check it against the weights you load). */
  readonly explicit?: string;
}

async function readTable<F extends Record<string, unknown>>(folder: RunFolder<F>, options: VerifiedTableOptions, anyMetric: boolean) {
  const path = options.explicit ?? folder.path(TABLE_FILE);
  try {
    await checkInputFile(path, INPUT_LIMITS.tableBytes, 'query table');
  } catch (e) {
    if (options.explicit === undefined && (e as { reason?: string }).reason === 'bad-input' && /no such file/.test((e as Error).message)) {
      throw new StaleArtefactError(TABLE_FILE, `no query table at ${path}`, options.rebuild);
    }
    throw e;
  }
  const table = await loadQueryTable(path, { anyMetric });
  if (options.explicit === undefined) {
    if (!table.complete) throw new StaleArtefactError(TABLE_FILE, `${path} is unfinished (its build was interrupted)`, options.rebuild);
    await folder.verifyArtefact(TABLE_FILE, await tableSha256(path), options.rebuild);
  }
  return table;
}

/**
 * The run's top-1 query table after checking it: present, finished, recorded by the run and
 * unmodified (rows and BN statistics). Whether it was built on the weights loaded now is
 * `checkTableMatchesWeights`'s job.
 */
export async function loadVerifiedTable<F extends Record<string, unknown>>(
  folder: RunFolder<F>,
  options: VerifiedTableOptions,
): Promise<QueryTable<TableRow>> {
  return (await readTable(folder, options, false)) as QueryTable<TableRow>;
}

/** `loadVerifiedTable` for a table of any metric (e.g. box AP). */
export async function loadVerifiedMetricTable<F extends Record<string, unknown>>(
  folder: RunFolder<F>,
  options: VerifiedTableOptions,
): Promise<QueryTable<MetricRow>> {
  return readTable(folder, options, true);
}

/** The table's weights fingerprint must be the loaded model's (its BN statistics and scores belong to those weights). */
export function checkTableMatchesWeights<R extends MetricRow>(
  table: QueryTable<R>,
  model: Module,
  where: { readonly tablePath: string; readonly modelDir: string; readonly rebuild: string },
): void {
  const recorded = table.model.weightsSha256;
  const actual = weightsFingerprint(model);
  if (recorded !== undefined && recorded !== actual) {
    throw new StaleArtefactError(
      TABLE_FILE,
      `${where.tablePath} is stale: it was measured on weights ${recorded.slice(0, 12)}…, ${where.modelDir} holds ${actual.slice(0, 12)}…`,
      where.rebuild,
    );
  }
}
