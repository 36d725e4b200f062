import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CHECKPOINT_MANIFEST,
  CheckpointError,
  type CheckpointHeader,
  checkpointWeightsPath,
  type ModelSpec,
  parseModelSpec,
} from '@adaptnet/core';
import { readCheckpointHeader, writeFileAtomic } from '@adaptnet/core/node';
import { type LoadedModel, type LoadModelOptions, modelFromCheckpoint } from './load-model.js';

export type { CheckpointFiles, LoadedModel, LoadModelOptions } from './load-model.js';

/**
 * Node: rebuilds a trained network, its weights and its calibrated BN sets from a checkpoint
 * directory (`model.json` + weights). The caller disposes `model`.
 */
export async function loadModel(dir: string, options: Pick<LoadModelOptions, 'spec'> = {}): Promise<LoadedModel> {
  const { header, bytes } = await readCheckpointFiles(dir);
  return modelFromCheckpoint(header, bytes, join(dir, CHECKPOINT_MANIFEST), options.spec);
}

async function readCheckpointFiles(dir: string): Promise<{ header: CheckpointHeader; bytes: Uint8Array }> {
  const header = await readCheckpointHeader(dir);
  const binPath = join(dir, checkpointWeightsPath(header));
  let bytes: Buffer;
  try {
    bytes = await readFile(binPath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'E_CHECKPOINT_MISSING' : 'E_CHECKPOINT_CORRUPT';
    throw new CheckpointError(code, `cannot read checkpoint weights ${binPath}: ${(e as Error).message}`);
  }
  return { header, bytes };
}

/**
 * Converts a checkpoint written before model specs: checks that `spec` builds a network the weights
 * fit, then rewrites `model.json` (atomically) with the spec in its header. Weights are untouched.
 */
export async function writeModelSpec(dir: string, spec: ModelSpec): Promise<CheckpointHeader> {
  const valid = parseModelSpec(spec, 'writeModelSpec');
  const { header: old, bytes } = await readCheckpointFiles(dir);
  const { spec: _previous, ...legacy } = old;
  const loaded = await modelFromCheckpoint(legacy, bytes, join(dir, CHECKPOINT_MANIFEST), valid);
  loaded.model.dispose();
  const header: CheckpointHeader = { ...legacy, spec: valid };
  await writeFileAtomic(join(dir, CHECKPOINT_MANIFEST), `${JSON.stringify(header, null, 2)}\n`);
  return header;
}
