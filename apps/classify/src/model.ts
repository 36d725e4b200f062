import { join } from 'node:path';
import { type Backbone, buildModelFromSpec, MOBILENET_V1_FASHION_MNIST_BLOCKS } from '@adaptnet/backbones';
import { type LoadedModel, loadModel } from '@adaptnet/backbones/node';
import { CheckpointError, type ModelSpec } from '@adaptnet/core';
import { MODEL_DIR, modelSpecFor, type TrainConfig } from '@adaptnet/train';
import type { RunManifest } from './run-manifest.js';

type ManifestModel = RunManifest['model'];

/** The registry name and options of a run's architecture (`mobilenet-v1-fashion` is a MobileNetV1 preset). */
function registryEntry(model: ManifestModel): { name: string; options: object } {
  const options = {
    input: model.input,
    inChannels: model.inChannels,
    numClasses: model.numClasses,
    widthRange: model.widthRange,
    seed: model.seed,
  };
  if (model.architecture === 'mobilenet-v1-fashion') {
    return { name: 'mobilenet-v1', options: { ...options, input: 'small', blocks: MOBILENET_V1_FASHION_MNIST_BLOCKS } };
  }
  return { name: model.architecture, options };
}

/** The model spec a run's manifest implies (what `train` stores in the weights' header). */
export function modelSpecOf(model: ManifestModel, train: TrainConfig): ModelSpec {
  const { name, options } = registryEntry(model);
  return modelSpecFor(name, options, train);
}

/** The network a run trains: the architecture with the BN keying its strategy needs. */
export function buildModel(model: ManifestModel, train: TrainConfig): Backbone {
  return buildModelFromSpec(modelSpecOf(model, train));
}

/** Checkpoint architecture id: a different id (another net, class count, or input) refuses to load. */
export function architectureId(model: ManifestModel): string {
  return `${model.architecture}/${model.input}/in${model.inChannels}/classes${model.numClasses}/w${model.widthRange.min}-${model.widthRange.max}`;
}

/**
 * Loads a run's trained network with the library's `loadModel`; a run trained before model specs
 * existed loads with the spec inferred from its run.json.
 */
export async function loadTrainedRun(runDir: string, manifest: RunManifest): Promise<LoadedModel> {
  const dir = join(runDir, MODEL_DIR);
  const loaded = await loadModel(dir, { spec: modelSpecOf(manifest.model, manifest.train) });
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

/** Builds the run's network and loads its trained weights. */
export async function loadTrainedModel(runDir: string, manifest: RunManifest): Promise<Backbone> {
  return (await loadTrainedRun(runDir, manifest)).model;
}
