import { join } from 'node:path';
import type { Module } from '@adaptnet/core';
import type { QueryTable, TableRow } from '@adaptnet/query-table';
import { MODEL_DIR } from '../trainer.js';
import { type ArtefactRecord, RUN_MANIFEST_FILE, RunFolder, type RunFolderSpec } from './run-folder.js';
import { checkTableMatchesWeights, loadVerifiedTable } from './table-artefact.js';

/** What an app tells `appRuns`: its run folder spec, how its manifest is read, how its model loads. */
export interface AppRunsOptions<R extends Record<string, unknown>, M, Model extends Module> {
  readonly spec: RunFolderSpec<R>;
  /** The app's manifest from the validated recipe (`path`: run.json, for messages). */
  manifestOf(recipe: R, path: string): M;
  /** Builds the network of a run and loads its `model/` weights. */
  loadModel(dir: string, manifest: M): Promise<Model>;
}

/** The run-folder operations every app command uses, bound to one app's spec and model. */
export interface AppRuns<R extends Record<string, unknown>, M, Model extends Module> {
  retrainCommand(dir: string): string;
  rebuildTableCommand(dir: string): string;
  /** Opens a run (with `lock` for commands that write into it) and its manifest. */
  openRun(dir: string, options?: { lock?: boolean; log?: (line: string) => void }): Promise<{ folder: RunFolder<R>; manifest: M }>;
  /** Checks `model/` against the run's record, then loads the network and its weights. */
  loadVerifiedModel(folder: RunFolder<R>, manifest: M): Promise<{ model: Model; record: ArtefactRecord }>;
  /** The run's query table after checking it; `explicit`: a `--table` file, only parsed. */
  loadVerifiedTable(folder: RunFolder<R>, explicit?: string): Promise<QueryTable<TableRow>>;
  /** The table must have been measured on the weights loaded from the run's `model/`. */
  checkTableMatchesWeights(table: QueryTable<TableRow>, model: Model, tablePath: string, dir: string): void;
}

export function appRuns<R extends Record<string, unknown>, M, Model extends Module>(
  options: AppRunsOptions<R, M, Model>,
): AppRuns<R, M, Model> {
  const { spec, manifestOf, loadModel } = options;
  const retrainCommand = (dir: string) => `${spec.tool} train --out ${dir} --resume (or --force to retrain from scratch)`;
  const rebuildTableCommand = (dir: string) => `${spec.tool} table --run ${dir}`;
  return {
    retrainCommand,
    rebuildTableCommand,
    async openRun(dir, open = {}) {
      const folder = await RunFolder.open(dir, spec, open);
      try {
        return { folder, manifest: manifestOf(folder.recipe, join(dir, RUN_MANIFEST_FILE)) };
      } catch (e) {
        await folder.close();
        throw e;
      }
    },
    async loadVerifiedModel(folder, manifest) {
      const record = await folder.verifyCheckpoint(MODEL_DIR, retrainCommand(folder.dir));
      return { model: await loadModel(folder.dir, manifest), record };
    },
    loadVerifiedTable(folder, explicit) {
      return loadVerifiedTable(folder, { rebuild: rebuildTableCommand(folder.dir), ...(explicit === undefined ? {} : { explicit }) });
    },
    checkTableMatchesWeights(table, model, tablePath, dir) {
      checkTableMatchesWeights(table, model, { tablePath, modelDir: join(dir, MODEL_DIR), rebuild: rebuildTableCommand(dir) });
    },
  };
}
