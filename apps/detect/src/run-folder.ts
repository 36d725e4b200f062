import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointError, ConfigError } from '@adaptnet/core';
import type { Detector } from '@adaptnet/detection';
import { loadDetector } from '@adaptnet/detection/node';
import { MODEL_DIR } from '@adaptnet/train';
import { type ArtefactRecord, RunFolder } from '@adaptnet/train/node';
import { RUN_MANIFEST, RUN_SPEC, type RunRecipe, TOOL } from './run-manifest.js';

export type DetectRun = RunFolder<RunRecipe>;

export const retrainCommand = (dir: string) => `${TOOL} train --out ${dir} --resume (or --force to retrain from scratch)`;
export const rebuildTableCommand = (dir: string) => `${TOOL} table --run ${dir}`;

/** The `format` of a run.json, when it is readable JSON. */
export async function formatOf(dir: string): Promise<unknown> {
  try {
    return (JSON.parse(await readFile(join(dir, RUN_MANIFEST), 'utf8')) as { format?: unknown }).format;
  } catch {
    return undefined;
  }
}

/**
 * Opens a detection run (with `lock` for commands that write into it). A classification run is
 * refused by name, with the command that uses its backbone instead.
 */
export async function openRun(dir: string, options: { lock?: boolean; log?: (line: string) => void } = {}): Promise<DetectRun> {
  try {
    return await RunFolder.open(dir, RUN_SPEC, options);
  } catch (e) {
    if (e instanceof CheckpointError && e.code === 'E_CHECKPOINT_FORMAT' && (await formatOf(dir)) === 'adaptnet-classify-run') {
      throw new ConfigError(
        `${dir} is an adaptnet-classify run (a 2D image classifier), not a detector; train a detector from its backbone with: ${TOOL} train --backbone-from ${dir} --out <dir>`,
      );
    }
    throw e;
  }
}

/** Checks `model/` against the run's record, then loads the detector (with any calibrated BN sets it holds). */
export async function loadVerifiedDetector(folder: DetectRun): Promise<{ detector: Detector; record: ArtefactRecord }> {
  const record = await folder.verifyCheckpoint(MODEL_DIR, retrainCommand(folder.dir));
  const { detector } = await loadDetector(folder.path(MODEL_DIR));
  return { detector, record };
}
