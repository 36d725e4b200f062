import { join } from 'node:path';
import type { Backbone } from '@adaptnet/backbones';
import type { QueryTable } from '@adaptnet/query-table';
import { MODEL_DIR } from '@adaptnet/train';
import {
  type ArtefactRecord,
  checkTableMatchesWeights as checkTableWeights,
  loadVerifiedTable as loadRunTable,
  RunFolder,
} from '@adaptnet/train/node';
import { loadTrainedRun } from './model.js';
import { manifestOf, RUN_MANIFEST, RUN_SPEC, type RunManifest, type RunRecipe } from './run-manifest.js';

export { TABLE_FILE, tableSha256 } from '@adaptnet/train/node';
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

/** The run's query table after checking it (see `@adaptnet/train/node`); `explicit`: a `--table` file, only parsed. */
export function loadVerifiedTable(folder: VideoRun, explicit?: string): Promise<QueryTable> {
  return loadRunTable(folder, { rebuild: rebuildTableCommand(folder.dir), ...(explicit === undefined ? {} : { explicit }) });
}

/** The table must have been measured on the weights loaded from the run's `model/`. */
export function checkTableMatchesWeights(table: QueryTable, model: Backbone, tablePath: string, dir: string): void {
  checkTableWeights(table, model, { tablePath, modelDir: join(dir, MODEL_DIR), rebuild: rebuildTableCommand(dir) });
}
