import { ConfigError, configKey, type InputSize, type SubnetConfig } from '@adaptnet/core';
import type * as tf from '@tensorflow/tfjs-core';
import type { EvalBatch, EvalBatchSource } from './types.js';

/** A model whose input at a configuration may differ from `[1, frames, r, r, C]` (e.g. SlowFast reads the full clip). */
export interface InputShaped {
  inputShape?(config: SubnetConfig): readonly number[];
}

/**
 * The input size of `config`: its resolution (and frames), or for a model whose input differs
 * (SlowFast reads the full clip), the side and length of `model.inputShape(config)`.
 */
export function inputSizeFor(model: InputShaped, config: SubnetConfig): InputSize {
  if (config.frames === undefined) return { resolution: config.resolution };
  const shape = model.inputShape?.(config);
  if (shape !== undefined && shape.length === 5) return { resolution: shape[2] as number, frames: shape[1] as number };
  return { resolution: config.resolution, frames: config.frames };
}

/**
 * The batch's input for `config` (`batch.inputs(inputSizeFor(model, config))`): images for a 2D
 * configuration, clips for one with `frames`; anything else is refused by name. The tensor is
 * owned by the batch.
 */
export function inputFor(model: InputShaped, batch: EvalBatch, config: SubnetConfig): tf.Tensor {
  const x = batch.inputs(inputSizeFor(model, config));
  if (config.frames === undefined && x.rank !== 4) {
    throw new ConfigError(
      `evaluateGrid: ${configKey(config)} has no frames, so the batches must give images [N, r, r, C], got rank ${x.rank}; give grid.frames for clip batches`,
    );
  }
  if (config.frames !== undefined && x.rank !== 5) {
    throw new ConfigError(
      `evaluateGrid: ${configKey(config)} has frames, so the batches must give clips [N, frames, r, r, C] (a VideoBatch of @adaptnet/data), got rank ${x.rank}`,
    );
  }
  return x;
}

/** Samples per clip of a batch (1 for image batches and single-view clip batches). */
export function viewsOf(batch: EvalBatch): number {
  const views = batch.views ?? 1;
  if (!Number.isInteger(views) || views <= 0) throw new ConfigError(`evaluateGrid: batch.views must be a positive integer, got ${views}`);
  return views;
}

/** The source's inputs for one configuration, as `calibrate` consumes them; `shapes` receives each input's shape. */
export async function* inputsAt(
  model: InputShaped,
  source: EvalBatchSource,
  config: SubnetConfig,
  disposeBatches: boolean,
  shapes?: (shape: readonly number[]) => void,
): AsyncGenerator<tf.Tensor> {
  for await (const batch of source()) {
    try {
      const x = inputFor(model, batch, config);
      shapes?.(x.shape);
      yield x;
    } finally {
      if (disposeBatches) batch.dispose();
    }
  }
}
