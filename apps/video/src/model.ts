import { join } from 'node:path';
import { type Backbone, buildModelFromSpec } from '@adaptnet/backbones';
import { type LoadedModel, loadModel } from '@adaptnet/backbones/node';
import { CheckpointError, type ConfigSpace, type ModelSpec } from '@adaptnet/core';
import { MODEL_DIR, modelSpecFor, type TrainConfig } from '@adaptnet/train';
import type { RunManifest } from './run-manifest.js';

type ManifestModel = RunManifest['model'];

/**
 * The registry options of a run's network. The configuration space is the trained one, so that
 * SlowFast's full clip (α × the most frames, at the largest size) is the one the run trains on.
 */
export function modelOptions(model: ManifestModel, space: ConfigSpace): Record<string, unknown> {
  return {
    input: model.input,
    inChannels: model.inChannels,
    numClasses: model.numClasses,
    widthRange: model.widthRange,
    seed: model.seed,
    configSpace: space,
  };
}

/** The trained configuration space of a run: its width range, resolutions and frame counts. */
export function trainedSpace(manifest: Pick<RunManifest, 'model' | 'train'>): ConfigSpace {
  return { width: manifest.model.widthRange, resolutions: [...manifest.train.resolutions], frames: [...framesOf(manifest.train)] };
}

/** The frame counts a training configuration names (`frames`, largest = the full network's). */
export function framesOf(train: TrainConfig): readonly number[] {
  return train.frames ?? [];
}

/** The model spec a run's manifest implies (what `train` stores in the weights' header). */
export function modelSpecOf(manifest: Pick<RunManifest, 'model' | 'train'>): ModelSpec {
  return modelSpecFor(manifest.model.architecture, modelOptions(manifest.model, trainedSpace(manifest)), manifest.train);
}

/** The network a run trains: the architecture with the BN keying its strategy needs. */
export function buildModel(manifest: Pick<RunManifest, 'model' | 'train'>): Backbone {
  return buildModelFromSpec(modelSpecOf(manifest));
}

/** Checkpoint architecture id: a different id (another net, class count, or input) refuses to load. */
export function architectureId(model: ManifestModel): string {
  return `video/${model.architecture}/${model.input}/in${model.inChannels}/classes${model.numClasses}/w${model.widthRange.min}-${model.widthRange.max}`;
}

/** Loads a run's trained network with the library's `loadModel` (the spec is in the weights' header). */
export async function loadTrainedRun(runDir: string, manifest: RunManifest): Promise<LoadedModel> {
  const dir = join(runDir, MODEL_DIR);
  const loaded = await loadModel(dir);
  const expected = architectureId(manifest.model);
  if (loaded.header.architecture !== expected) {
    loaded.model.dispose();
    throw new CheckpointError(
      'E_CHECKPOINT_ARCH',
      `checkpoint in ${dir} is for architecture '${loaded.header.architecture}', expected '${expected}'`,
    );
  }
  return loaded;
}
