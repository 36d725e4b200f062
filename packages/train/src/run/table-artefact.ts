import { readFile } from 'node:fs/promises';
import type { Module } from '@adaptnet/core';
import {
  type FormatFrontierOptions,
  formatFrontier,
  type MetricRow,
  type QueryTable,
  type TableRow,
  weightsFingerprint,
} from '@adaptnet/query-table';
import { loadQueryTable, renderPlot } from '@adaptnet/query-table/node';
import { StaleArtefactError } from './errors.js';
import { canonicalJson, sha256Hex } from './hash.js';
import { checkInputFile, INPUT_LIMITS } from './input-file.js';
import type { RunFolder } from './run-folder.js';

/** The query table's name inside a run folder. */
export const TABLE_FILE = 'table.json';
/** Its accuracy–cost plot's name (and `table.png` beside it when asked for). */
export const PLOT_FILE = 'table.svg';

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

/**
 * Why the run's existing table file cannot be resumed by a new `table` build (undefined: it can):
 * unreadable, of another metric (`metric`: the name the build measures; default top-1 only),
 * measured on other weights, or recorded but modified since. The caller moves such a file aside.
 */
export async function whyTableCannotResume<F extends Record<string, unknown>>(
  folder: RunFolder<F>,
  model: Module,
  options: { readonly rebuild: string; readonly metric?: string },
): Promise<string | undefined> {
  const path = folder.path(TABLE_FILE);
  let existing: QueryTable<MetricRow>;
  try {
    existing = await loadQueryTable(path, { anyMetric: options.metric !== undefined });
  } catch (e) {
    return (e as Error).message;
  }
  if (options.metric !== undefined && existing.metric.name !== options.metric) return `it measures ${existing.metric.name}`;
  if (existing.model.weightsSha256 !== undefined && existing.model.weightsSha256 !== weightsFingerprint(model)) {
    return 'it was measured on other weights';
  }
  if ((await folder.artefacts())[TABLE_FILE] !== undefined && existing.complete) {
    try {
      await folder.verifyArtefact(TABLE_FILE, await tableSha256(path), options.rebuild);
    } catch (e) {
      return (e as Error).message.replace(/; rebuild it with.*$/, '');
    }
  }
  return undefined;
}

/**
 * `evaluateGridToFile`'s `onSettingsChanged` for a run's table: a table measured with other
 * settings (a `table` command given, say, `--latency-runs` this time) is moved aside, deleting
 * nothing, and the build starts over; logged as the other reasons `whyTableCannotResume` gives are.
 */
export function setAsideOnNewSettings<F extends Record<string, unknown>>(
  folder: RunFolder<F>,
  log: (line: string) => void,
): (differences: readonly string[]) => Promise<void> {
  return async (differences) => {
    const moved = await folder.setAside(TABLE_FILE);
    log(
      `[table] ${folder.path(TABLE_FILE)} was measured with other settings (${differences.join('; ')}); moved it to ${moved} and starting over`,
    );
  };
}

/** Where `recordTableAndPlot` drew the plot. */
export interface TablePlot {
  readonly svgPath: string;
  readonly pngPath?: string;
}

/**
 * The end of every app's `table` command: records the finished table file `path` (the run's
 * `table.json`) as measured on the weights recorded as `modelSha256`, then draws its accuracy–cost
 * plot beside it (`table.svg`, and `table.png` with `png`).
 */
export async function recordTableAndPlot<F extends Record<string, unknown>, R extends MetricRow>(
  folder: RunFolder<F>,
  table: QueryTable<R>,
  path: string,
  options: { readonly modelSha256: string; readonly title: string; readonly png?: boolean | undefined },
): Promise<TablePlot> {
  await folder.record(TABLE_FILE, { sha256: await tableSha256(path), from: { model: options.modelSha256 } });
  const svgPath = folder.path(PLOT_FILE);
  const pngPath = options.png ? svgPath.replace(/\.svg$/, '.png') : undefined;
  await renderPlot(table, { svgPath, ...(pngPath === undefined ? {} : { pngPath }), title: options.title });
  return pngPath === undefined ? { svgPath } : { svgPath, pngPath };
}

/** What a `table` command prints when done: the frontier, then where the table and its plot are. */
export function tableReport<R extends MetricRow>(
  table: QueryTable<R>,
  path: string,
  plot: TablePlot,
  frontier: FormatFrontierOptions = {},
): string[] {
  return [formatFrontier(table, frontier), `table: ${path}`, `plot: ${plot.svgPath}${plot.pngPath ? ` (and ${plot.pngPath})` : ''}`];
}
