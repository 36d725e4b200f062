import { ConfigError, type Module, makeContext, ShapeError, type SubnetConfig } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { type InputShaped, inputFor, viewsOf } from './inputs.js';
import { countTopK } from './top-k.js';
import type { EvalBatch, EvalBatchSource } from './types.js';

export interface AccuracyOptions {
  readonly maxBatches?: number;
  readonly disposeBatches?: boolean;
  /** Inputs → logits (a new tensor) instead of `model.forward` in inference mode. */
  readonly forward?: (x: tf.Tensor) => tf.Tensor;
}

export interface Accuracy {
  readonly top1: number;
  readonly top5: number;
  /** Predictions counted: clips (each averaged over its views) or images. */
  readonly samples: number;
  /** Samples averaged per prediction. */
  readonly views: number;
  /** Shape of the first batch's input at the configuration. */
  readonly inputShape: readonly number[];
}

/**
 * Scores per prediction: the logits for single-view batches; for `views` > 1 the mean over each
 * clip's views of the softmax probabilities (multi-view testing, as PySlowFast averages its
 * softmax outputs). Labels: one per clip (its views must agree).
 */
function scoresOf(
  model: Module & InputShaped,
  forward: (x: tf.Tensor) => tf.Tensor,
  batch: EvalBatch,
  config: SubnetConfig,
  views: number,
): { scores: tf.Tensor2D; labels: tf.Tensor1D } {
  const x = inputFor(model, batch, config);
  const n = batch.labels.shape[0];
  // Outside any tidy: a prepared forward may create (and cache) its weights on the first call.
  const logits = forward(x);
  if (logits.rank !== 2 || logits.shape[0] !== n || x.shape[0] !== n) {
    logits.dispose();
    throw new ShapeError(
      `evaluateGrid: a batch of ${x.shape[0]} inputs with ${n} labels gave logits of shape [${logits.shape.join(', ')}]; expected [${n}, classes]`,
    );
  }
  if (views === 1) return { scores: logits as tf.Tensor2D, labels: tf.clone(batch.labels) };
  try {
    if (n % views !== 0) throw new ShapeError(`evaluateGrid: ${n} samples are not a whole number of clips with ${views} views each`);
    const classes = logits.shape[1] as number;
    return tf.tidy(() => ({
      scores: tf.mean(tf.reshape(tf.softmax(logits), [n / views, views, classes]), 1) as tf.Tensor2D,
      labels: tf.clone(batch.labels),
    }));
  } finally {
    logits.dispose();
  }
}

/** Top-1 / top-5 of `model` at `config` (inference mode) over the source's batches, counted exactly. */
export async function accuracyOf(
  model: Module & InputShaped,
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
  let views: number | undefined;
  let inputShape: readonly number[] | undefined;
  for await (const batch of val()) {
    try {
      const v = viewsOf(batch);
      if (views !== undefined && v !== views)
        throw new ConfigError(`evaluateGrid: batches have ${views} and ${v} views; use one view count`);
      views = v;
      inputShape ??= inputFor(model, batch, config).shape;
      const { scores, labels } = scoresOf(model, forward, batch, config, v);
      try {
        const [z, y] = await Promise.all([scores.data(), labels.data()]);
        const clips = scores.shape[0];
        const perClip = new Int32Array(clips);
        for (let c = 0; c < clips; c++) {
          perClip[c] = y[c * v] as number;
          for (let k = 1; k < v; k++) {
            if (y[c * v + k] !== perClip[c])
              throw new ConfigError(`evaluateGrid: the ${v} views of clip ${c} of a batch have different labels`);
          }
        }
        const counts = countTopK(z, perClip, scores.shape[1]);
        top1 += counts.top1;
        top5 += counts.top5;
        samples += clips;
      } finally {
        tf.dispose([scores, labels]);
      }
    } finally {
      if (options.disposeBatches) batch.dispose();
    }
    batches++;
    // Stop before asking for a batch that would not be used.
    if (options.maxBatches !== undefined && batches >= options.maxBatches) break;
  }
  if (samples === 0 || inputShape === undefined) throw new ConfigError('evaluateGrid: the validation source yielded no samples');
  return { top1: top1 / samples, top5: top5 / samples, samples, views: views ?? 1, inputShape };
}
