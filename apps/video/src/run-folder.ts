import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Backbone } from '@adaptnet/backbones';
import { type QueryTable, weightsFingerprint } from '@adaptnet/query-table';
import { loadQueryTable } from '@adaptnet/query-table/node';
import { MODEL_DIR } from '@adaptnet/train';
import {
  type ArtefactRecord,
  canonicalJson,
  checkInputFile,
  INPUT_LIMITS,
  RunFolder,
  StaleArtefactError,
  sha256Hex,
} from '@adaptnet/train/node';
import { loadTrainedRun } from './model.js';
import { manifestOf, RUN_MANIFEST, RUN_SPEC, type RunManifest, type RunRecipe } from './run-manifest.js';

export const TABLE_FILE = 'table.json';
export const PLOT_FILE = 'table.svg';

export type VideoRun = RunFolder<RunRecipe>;

export const retrainCommand = (dir: string) => `adaptnet-video train --out ${dir} --resume (or --force to retrain from scratch)`;
export const rebuildTableCommand = (dir: string) => `adaptnet-video table --run ${dir}`;

/** Opens a run (with `lock` for commands that write into it) and its manifest; another app's run is refused by name. */
export async function openRun(
  dir: string,
  options: { lock?: boolean; log?: (line: string) => void } = {},
): Promise<{ folder: VideoRun; manifest: RunManifest }> {
  const folder = await RunFolder.open(dir, RUN_SPEC, options);
  try {
    return { folder, manifest: manifestOf(folder.recipe, join(dir, RUN_MANIFEST)) };
  } catch (e) {
    await folder.close();
    throw e;
  }
}

/** Checks `model/` against the run's record, then loads the network and its weights. */
export async function loadVerifiedModel(folder: VideoRun, manifest: RunManifest): Promise<{ model: Backbone; record: ArtefactRecord }> {
  const record = await folder.verifyCheckpoint(MODEL_DIR, retrainCommand(folder.dir));
  return { model: (await loadTrainedRun(folder.dir, manifest)).model, record };
}

/** Content hash of a table file: its JSON without `createdAt` (canonical), so equal tables hash equally. */
export async function tableSha256(path: string): Promise<string> {
  const json = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  const { createdAt: _c, ...content } = json;
  return sha256Hex(canonicalJson(content));
}

/**
 * The run's query table after checking it: recorded, unmodified (rows and BN statistics), and
 * built from the weights the run records now. `explicit` (a `--table` file) is only size-checked
 * and parsed; `predict` checks it against the loaded weights.
 */
export async function loadVerifiedTable(folder: VideoRun, explicit?: string): Promise<QueryTable> {
  const path = explicit ?? folder.path(TABLE_FILE);
  try {
    await checkInputFile(path, INPUT_LIMITS.tableBytes, 'query table');
  } catch (e) {
    if (explicit === undefined && (e as { reason?: string }).reason === 'bad-input' && /no such file/.test((e as Error).message)) {
      throw new StaleArtefactError(TABLE_FILE, `no query table at ${path}`, rebuildTableCommand(folder.dir));
    }
    throw e;
  }
  const table = await loadQueryTable(path);
  if (explicit === undefined) {
    if (!table.complete)
      throw new StaleArtefactError(TABLE_FILE, `${path} is unfinished (its build was interrupted)`, rebuildTableCommand(folder.dir));
    await folder.verifyArtefact(TABLE_FILE, await tableSha256(path), rebuildTableCommand(folder.dir));
  }
  return table;
}

/** The table's weights fingerprint must be the loaded model's (its BN statistics and accuracies belong to those weights). */
export function checkTableMatchesWeights(table: QueryTable, model: Backbone, tablePath: string, dir: string): void {
  const recorded = table.model.weightsSha256;
  const actual = weightsFingerprint(model);
  if (recorded !== undefined && recorded !== actual) {
    throw new StaleArtefactError(
      TABLE_FILE,
      `${tablePath} is stale: it was measured on weights ${recorded.slice(0, 12)}…, ${join(dir, 'model')} holds ${actual.slice(0, 12)}…`,
      rebuildTableCommand(dir),
    );
  }
}
