import { ConfigError, configKey, type SubnetConfig } from '@adaptnet/core';
import type * as tf from '@tensorflow/tfjs-core';
import type { AnyEvalBatch, EvalBatchSource, VideoEvalBatch } from './types.js';

/** A model whose input at a configuration may differ from `[1, frames, r, r, C]` (e.g. SlowFast reads the full clip). */
export interface InputShaped {
  inputShape?(config: SubnetConfig): readonly number[];
}

const hasClips = (batch: AnyEvalBatch): batch is VideoEvalBatch => typeof (batch as Partial<VideoEvalBatch>).clips === 'function';

/**
 * The batch's input for `config`: images at the resolution for a 2D configuration; for one with
 * `frames`, the clips at the side and length of `model.inputShape(config)` (rank 5), else at
 * (resolution, frames). The tensor is owned by the batch.
 */
export function inputFor(model: InputShaped, batch: AnyEvalBatch, config: SubnetConfig): tf.Tensor {
  if (config.frames === undefined) {
    if (hasClips(batch) || typeof (batch as { images?: unknown }).images !== 'function') {
      throw new ConfigError(
        `evaluateGrid: ${configKey(config)} has no frames, so the batches must have images(resolution); give grid.frames for clip batches`,
      );
    }
    return batch.images(config.resolution);
  }
  if (!hasClips(batch)) {
    throw new ConfigError(
      `evaluateGrid: ${configKey(config)} has frames, so the batches must have clips(resolution, frames) (a VideoBatch of @adaptnet/data)`,
    );
  }
  const shape = model.inputShape?.(config);
  if (shape !== undefined && shape.length === 5) return batch.clips(shape[2] as number, shape[1] as number);
  return batch.clips(config.resolution, config.frames);
}

/** Samples per clip of a batch (1 for image batches and single-view clip batches). */
export function viewsOf(batch: AnyEvalBatch): number {
  const views = hasClips(batch) ? (batch.views ?? 1) : 1;
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
