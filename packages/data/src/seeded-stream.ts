import { type Normalization, type PixelAffine, pixelAffine } from './normalization.js';
import { checkEpoch } from './prefetch.js';
import { deriveSeed } from './seed.js';
import { seededPermutation } from './subset.js';
import { defaultEvalTransform, type EvalTransform, type TrainAugment, validateAugment, validateEval } from './transforms.js';

/** The options `BatchStream` and `VideoStream` share. */
export interface SeededStreamOptions {
  /** Items (images or clips) per batch. */
  readonly batchSize: number;
  /** Default 0. */
  readonly seed?: number;
  /** Default true when `augment` is set, false for evaluation. */
  readonly shuffle?: boolean;
  /** Training augmentation; absent → the evaluation transform. */
  readonly augment?: TrainAugment;
  /** Default: the whole image (cropFraction 1) for sources ≤ 64 px, else the 0.875 centre crop. */
  readonly eval?: EvalTransform;
  /** Per channel (or one value for all), on [0, 1] pixels; default none (pixels on [0, 1]). */
  readonly normalize?: Normalization;
  /** Default true with `augment`, false otherwise. */
  readonly dropLast?: boolean;
  /** Batches prepared ahead on the host while the consumer works on the current one. Default 2. */
  readonly prefetch?: number;
}

export interface SamplingSettings {
  readonly augment: TrainAugment | undefined;
  readonly evalTransform: EvalTransform;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly affine: PixelAffine;
  /** Border kept around each image for crops: 1 px, plus the pad-crop padding. */
  readonly margin: number;
}

/** Validates the augmentation and evaluation transforms and fills in the defaults that follow from them. */
export function samplingSettings(
  source: { readonly channels: number; readonly height?: number | undefined; readonly width?: number | undefined },
  options: SeededStreamOptions,
): SamplingSettings {
  const { augment } = options;
  if (augment !== undefined) validateAugment(augment);
  const evalTransform = options.eval ?? defaultEvalTransform(source);
  validateEval(evalTransform);
  return {
    augment,
    evalTransform,
    shuffle: options.shuffle ?? augment !== undefined,
    dropLast: options.dropLast ?? augment !== undefined,
    affine: pixelAffine(source.channels, options.normalize),
    margin: 1 + (augment?.kind === 'pad-crop' ? augment.padding : 0),
  };
}

export const ORDER_STREAM = 1;
export const AUGMENT_STREAM = 2;

/** The indices 0..size−1 in epoch `epoch`'s order: a permutation seeded by (seed, epoch) when shuffling. */
export function epochOrder(size: number, shuffle: boolean, seed: number, epoch: number): Int32Array {
  checkEpoch(epoch);
  return shuffle ? seededPermutation(size, deriveSeed(seed, epoch, ORDER_STREAM)) : Int32Array.from({ length: size }, (_, i) => i);
}

/**
 * `take(batch)` for each batch, disposing the batch when the consumer asks for the next value or
 * leaves the loop (e.g. one resolution's images for BN calibration).
 */
export function eachBatchThenDispose<B extends { dispose(): void }, T>(
  batches: AsyncIterable<B>,
  take: (batch: B) => T,
): AsyncIterableIterator<T> {
  return (async function* () {
    for await (const batch of batches) {
      try {
        yield take(batch);
      } finally {
        batch.dispose();
      }
    }
  })();
}
