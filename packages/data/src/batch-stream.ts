import { ConfigError, Rng, ShapeError } from '@adaptnet/core';
import type * as tf from '@tensorflow/tfjs-core';
import { asImageSource, type ImageDataset, type ImageSource } from './dataset.js';
import { type HostBatch, layoutBatch } from './host-batch.js';
import { CroppedBatch, type MultiResolutionBatch } from './multi-resolution-batch.js';
import type { PixelAffine } from './normalization.js';
import { checkEpoch, checkStartBatch, countBatches, prefetched, streamBasics, yieldToConsumer } from './prefetch.js';
import { deriveSeed } from './seed.js';
import { AUGMENT_STREAM, eachBatchThenDispose, epochOrder, type SeededStreamOptions, samplingSettings } from './seeded-stream.js';
import { cropFor, type EvalTransform, type TrainAugment } from './transforms.js';

export type BatchStreamOptions = SeededStreamOptions;

/**
 * Seeded batches over epochs. The shuffle order depends only on (seed, epoch) and a batch's
 * augmentation draws only on (seed, epoch, batch index), so a run resumed with `startBatch`
 * sees exactly the batches it would have seen.
 */
export class BatchStream {
  readonly source: ImageSource;
  readonly batchSize: number;
  readonly seed: number;
  readonly shuffle: boolean;
  readonly augment: TrainAugment | undefined;
  readonly evalTransform: EvalTransform;
  readonly dropLast: boolean;
  readonly prefetch: number;
  readonly batchesPerEpoch: number;
  private readonly affine: PixelAffine;
  private readonly margin: number;

  constructor(source: ImageDataset | ImageSource, options: BatchStreamOptions) {
    this.source = asImageSource(source);
    const { batchSize } = options;
    ({ seed: this.seed, prefetch: this.prefetch } = streamBasics(options));
    ({
      augment: this.augment,
      evalTransform: this.evalTransform,
      shuffle: this.shuffle,
      dropLast: this.dropLast,
      affine: this.affine,
      margin: this.margin,
    } = samplingSettings(this.source, options));
    this.batchSize = batchSize;
    this.batchesPerEpoch = countBatches(this.source.name, this.source.size, batchSize, this.dropLast, 'images');
  }

  /** The data set indices of epoch `epoch`, in the order the batches take them. */
  order(epoch: number): Int32Array {
    return epochOrder(this.source.size, this.shuffle, this.seed, epoch);
  }

  /**
   * Batches of epoch `epoch`, from `startBatch` (default 0). Host work for the next `prefetch`
   * batches runs while the consumer holds the current one; tensors are created when a batch is
   * yielded. The consumer disposes each batch.
   */
  epoch(epoch: number, options: { readonly startBatch?: number } = {}): AsyncIterableIterator<MultiResolutionBatch> {
    checkEpoch(epoch);
    const startBatch = options.startBatch ?? 0;
    checkStartBatch(startBatch, this.batchesPerEpoch);
    return this.run(epoch, startBatch);
  }

  /**
   * The images of each batch of `epoch` at one resolution, e.g. for BN calibration. Each tensor
   * is disposed when the next one is requested or the loop ends.
   */
  resolutionBatches(resolution: number, epoch = 0): AsyncIterableIterator<tf.Tensor4D> {
    if (!Number.isInteger(resolution) || resolution <= 0) throw new ConfigError(`resolution must be a positive integer, got ${resolution}`);
    return eachBatchThenDispose(this.epoch(epoch), (batch) => batch.images(resolution));
  }

  private async *run(epoch: number, startBatch: number): AsyncGenerator<MultiResolutionBatch> {
    const order = this.order(epoch);
    for await (const host of prefetched(startBatch, this.batchesPerEpoch, this.prefetch, (b) => this.prepare(order, epoch, b))) {
      yield new CroppedBatch(host);
    }
  }

  private async prepare(order: Int32Array, epoch: number, batch: number): Promise<HostBatch> {
    const indices = order.slice(batch * this.batchSize, Math.min((batch + 1) * this.batchSize, order.length));
    const images = await this.source.read(indices);
    if (images.length !== indices.length) {
      throw new ShapeError(`${this.source.name}: read() returned ${images.length} images for ${indices.length} indices`);
    }
    await yieldToConsumer(); // the layout below is synchronous CPU work
    const rng = this.augment === undefined ? undefined : new Rng(deriveSeed(this.seed, epoch, batch, AUGMENT_STREAM));
    const crops = images.map((img) => cropFor(rng, this.augment, this.evalTransform, img.height, img.width));
    const labels = Int32Array.from(indices, (i) => this.source.labels[i] as number);
    return { indices, labels, crops, ...layoutBatch(images, crops, this.source.channels, this.margin, this.affine) };
  }
}
