import { ConfigError, type Module, makeContext, ShapeError, type SubnetConfig } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { countTopK } from './top-k.js';
import type { EvalBatch, EvalBatchSource } from './types.js';

export interface AccuracyOptions {
  readonly maxBatches?: number;
  readonly disposeBatches?: boolean;
  /** Images → logits (a new tensor) instead of `model.forward` in inference mode. */
  readonly forward?: (x: tf.Tensor) => tf.Tensor;
}

export interface Accuracy {
  readonly top1: number;
  readonly top5: number;
  readonly samples: number;
  /** Shape of the first batch's images at the configuration's resolution. */
  readonly inputShape: readonly number[];
}

/** Images of the source's batches at one resolution, as `calibrate` consumes them. */
export async function* imagesAt(source: EvalBatchSource, resolution: number, disposeBatches: boolean): AsyncGenerator<tf.Tensor4D> {
  for await (const batch of source()) {
    try {
      yield batch.images(resolution);
    } finally {
      if (disposeBatches) batch.dispose();
    }
  }
}

function logitsOf(forward: (x: tf.Tensor) => tf.Tensor, batch: EvalBatch, config: SubnetConfig): tf.Tensor {
  const x = batch.images(config.resolution);
  const logits = forward(x);
  const n = batch.labels.shape[0];
  if (logits.rank !== 2 || logits.shape[0] !== n || x.shape[0] !== n) {
    logits.dispose();
    throw new ShapeError(
      `evaluateGrid: a batch of ${x.shape[0]} images with ${n} labels gave logits of shape [${logits.shape.join(', ')}]; expected [${n}, classes]`,
    );
  }
  return logits;
}

/** Top-1 / top-5 of `model` at `config` (inference mode) over the source's batches, counted exactly. */
export async function accuracyOf(
  model: Module,
  config: SubnetConfig,
  val: EvalBatchSource,
  options: AccuracyOptions = {},
): Promise<Accuracy> {
  const ctx = makeContext(config, false);
  const forward = options.forward ?? ((x: tf.Tensor) => tf.tidy(() => model.forward(x, ctx)));
  let samples = 0;
  let top1 = 0;
  let top5 = 0;
  let batches = 0;
  let inputShape: readonly number[] | undefined;
  for await (const batch of val()) {
    try {
      inputShape ??= batch.images(config.resolution).shape;
      const logits = logitsOf(forward, batch, config);
      try {
        const [z, y] = await Promise.all([logits.data(), batch.labels.data()]);
        const counts = countTopK(z, y, logits.shape[1] as number);
        top1 += counts.top1;
        top5 += counts.top5;
        samples += y.length;
      } finally {
        logits.dispose();
      }
    } finally {
      if (options.disposeBatches) batch.dispose();
    }
    batches++;
    // Stop before asking for a batch that would not be used.
    if (options.maxBatches !== undefined && batches >= options.maxBatches) break;
  }
  if (samples === 0 || inputShape === undefined) throw new ConfigError('evaluateGrid: the validation source yielded no samples');
  return { top1: top1 / samples, top5: top5 / samples, samples, inputShape };
}
