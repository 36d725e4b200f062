import { join } from 'node:path';
import { type Backbone, createBackbone, MOBILENET_V1_FASHION_MNIST_BLOCKS, type NormOptions } from '@adaptnet/backbones';
import { loadModule } from '@adaptnet/core/node';
import { MODEL_DIR, normOptionsFor, type TrainConfig } from '@adaptnet/train';
import type { RunManifest } from './run-manifest.js';

type ModelSpec = RunManifest['model'];

function build(spec: ModelSpec, norm: NormOptions, resizable: boolean): Backbone {
  const common = {
    input: spec.input,
    inChannels: spec.inChannels,
    numClasses: spec.numClasses,
    widthRange: spec.widthRange,
    seed: spec.seed,
    norm,
    resizable,
  };
  if (spec.architecture === 'mobilenet-v1-fashion') {
    return createBackbone('mobilenet-v1', { ...common, input: 'small', blocks: MOBILENET_V1_FASHION_MNIST_BLOCKS });
  }
  return createBackbone(spec.architecture, common);
}

/** The network a run trains: the architecture with the BN keying its strategy needs. */
export function buildModel(spec: ModelSpec, train: TrainConfig): Backbone {
  const resizable = train.strategy === 'resizable';
  let resizableStages = 0;
  if (resizable) {
    const probe = build(spec, { policy: 'config' }, true);
    resizableStages = probe.resizes.length;
    probe.dispose();
  }
  return build(spec, normOptionsFor(train, { widthMax: spec.widthRange.max, resizableStages }), resizable);
}

/** Checkpoint architecture id: a different id (another net, class count, or input) refuses to load. */
export function architectureId(spec: ModelSpec): string {
  return `${spec.architecture}/${spec.input}/in${spec.inChannels}/classes${spec.numClasses}/w${spec.widthRange.min}-${spec.widthRange.max}`;
}

/** Builds the run's network and loads its trained weights. */
export async function loadTrainedModel(runDir: string, manifest: RunManifest): Promise<Backbone> {
  const model = buildModel(manifest.model, manifest.train);
  try {
    await loadModule(join(runDir, MODEL_DIR), model, architectureId(manifest.model));
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}
