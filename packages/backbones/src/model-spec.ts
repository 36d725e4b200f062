import { CheckpointError, ConfigError, type ModelSpec } from '@adaptnet/core';
import { findBatchNorms } from '@adaptnet/norm';
import * as tf from '@tensorflow/tfjs-core';
import type { Backbone } from './backbone.js';
import { featureStrides, resizableStagesOf } from './feature-strides.js';
import { createBackbone } from './registry.js';

/** A checkpoint that has no model spec in its header (written before specs existed). */
export class MissingModelSpecError extends CheckpointError {
  constructor(where: string) {
    super(
      'E_CHECKPOINT_FORMAT',
      `${where} has no model spec (written before AdaptNet stored one in checkpoint headers); add one with writeModelSpec(dir, spec) from @adaptnet/backbones/node, or pass { spec } to loadModel (adaptnet-classify runs: any adaptnet-classify command on the run infers it from run.json and loads it)`,
    );
  }
}

/** The network a spec describes, freshly initialised (weights from `options.seed`). */
export function buildModelFromSpec(spec: ModelSpec): Backbone {
  return createBackbone(spec.architecture, { ...spec.options, norm: spec.norm, resizable: spec.resizable });
}

/**
 * How many `config.scales` entries a resizable version of the backbone takes (one per stage with a
 * stride-1 block besides the stem), computed from the architecture and its options: no network is built.
 */
export function resizableStageCount(architecture: string, options: object = {}): number {
  return resizableStagesOf(featureStrides(architecture, options));
}

const STAT_SUFFIX = '.running_mean';

/**
 * Builds the spec's network and assigns every tensor of a checkpoint to it. Calibrated BN sets of the
 * `'config'` policy (`<bn>.<key>.running_mean|running_var`) are created first, so a checkpoint saved
 * after calibration restores them. Every variable must be present with its shape, and no tensor may
 * be left over. Does not take ownership of `tensors`.
 */
export function restoreModel(spec: ModelSpec, tensors: ReadonlyMap<string, tf.Tensor>, where: string): Backbone {
  const model = buildModelFromSpec(spec);
  try {
    for (const { path, bn } of findBatchNorms(model)) {
      if (bn.policy !== 'config') continue;
      for (const name of tensors.keys()) {
        if (!name.startsWith(`${path}.`) || !name.endsWith(STAT_SUFFIX)) continue;
        const key = name.slice(path.length + 1, -STAT_SUFFIX.length);
        if (!bn.hasKey(key)) bn.setStatistics(key, new Float32Array(bn.channels), new Float32Array(bn.channels).fill(1));
      }
    }
    const vars = model.namedVariables();
    const missing = [...vars.keys()].filter((k) => !tensors.has(k));
    const unknown = [...tensors.keys()].filter((k) => !vars.has(k));
    if (missing.length > 0 || unknown.length > 0) {
      const list = (names: string[]) => `[${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''}]`;
      throw new CheckpointError(
        'E_CHECKPOINT_MISMATCH',
        `${where} does not match the network its spec describes (${spec.architecture}): missing ${list(missing)}, unknown ${list(unknown)}`,
      );
    }
    for (const [name, v] of vars) {
      const t = tensors.get(name) as tf.Tensor;
      if (!tf.util.arraysEqual(t.shape, v.shape) || t.dtype !== v.dtype) {
        throw new CheckpointError(
          'E_CHECKPOINT_MISMATCH',
          `${where}: '${name}' is ${t.dtype}[${t.shape}], the network has ${v.dtype}[${v.shape}]`,
        );
      }
    }
    for (const [name, v] of vars) v.assign(tensors.get(name) as tf.Tensor);
    return model;
  } catch (e) {
    model.dispose();
    if (e instanceof ConfigError) throw new CheckpointError('E_CHECKPOINT_FORMAT', `${where}: its model spec does not build: ${e.message}`);
    throw e;
  }
}
