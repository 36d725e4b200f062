import { ConfigError, Rng, ShapeError } from '@adaptnet/core';
import type * as tf from '@tensorflow/tfjs-core';
import type { DecodedImage } from '../dataset.js';
import { DatasetError } from '../errors.js';
import { layoutBatch } from '../host-batch.js';
import type { PixelAffine } from '../normalization.js';
import { checkEpoch, checkStartBatch, countBatches, prefetched, streamBasics, yieldToConsumer } from '../prefetch.js';
import { deriveSeed } from '../seed.js';
import { AUGMENT_STREAM, eachBatchThenDispose, epochOrder, type SeededStreamOptions, samplingSettings } from '../seeded-stream.js';
import { type CropBox, cropFor, type EvalTransform, spatialCropBox, type TrainAugment } from '../transforms.js';
import {
  checkWindow,
  randomStart,
  SHORT_CLIP_POLICIES,
  type ShortClipPolicy,
  subsampleFrames,
  viewStarts,
  windowFrames,
  windowSpan,
} from './temporal.js';
import { CroppedVideoBatch, type HostVideoBatch, type VideoBatch } from './video-batch.js';
import type { VideoSource } from './video-source.js';

export interface VideoStreamOptions extends SeededStreamOptions {
  /** T: frames per clip at full temporal resolution. */
  readonly frames: number;
  /** τ: source frames between two sampled frames. Default 1. */
  readonly stride?: number;
  /**
   * Training: the window start is drawn uniformly and this spatial crop drawn once per clip, shared
   * by all its frames. Never flip a set whose classes are directions (left/right, cw/ccw).
   * Absent → evaluation: centred window(s) and the `eval` crop.
   */
  readonly augment?: TrainAugment;
  /** Evaluation windows per clip, spread evenly over it (1 = centred). Default 1; training allows only 1. */
  readonly views?: number;
  /**
   * Evaluation crops per window: 1 (default, the `eval` crop) or 3 (SlowFast's 3-crop test: start,
   * centre and end of the longer side, `spatialCropBox`). A clip gives `views × spatialCrops`
   * samples, windows outer, crops inner; the batch's `views` counts them all. Training allows only 1.
   */
  readonly spatialCrops?: number;
  /** Clips shorter than (T − 1)·τ + 1 frames: 'pad' (default), 'loop' or 'error' (checked when the stream is made). */
  readonly shortClip?: ShortClipPolicy;
}

/**
 * Seeded batches of clips over epochs, like `BatchStream`: the order depends only on (seed,
 * epoch), a batch's window starts and crops only on (seed, epoch, batch index), so `startBatch`
 * resumes exactly. Each batch is a `VideoBatch` resampled per subnet to (resolution, frames).
 */
export class VideoStream {
  readonly source: VideoSource;
  readonly batchSize: number;
  readonly frames: number;
  readonly stride: number;
  readonly views: number;
  readonly spatialCrops: number;
  readonly shortClip: ShortClipPolicy;
  readonly seed: number;
  readonly shuffle: boolean;
  readonly augment: TrainAugment | undefined;
  readonly evalTransform: EvalTransform;
  readonly dropLast: boolean;
  readonly prefetch: number;
  readonly batchesPerEpoch: number;
  private readonly affine: PixelAffine;
  private readonly margin: number;
  private readonly span: number;

  constructor(source: VideoSource, options: VideoStreamOptions) {
    this.source = source;
    ({ seed: this.seed, prefetch: this.prefetch } = streamBasics(options));
    this.batchSize = options.batchSize;
    this.frames = options.frames;
    this.stride = options.stride ?? 1;
    checkWindow(this.frames, this.stride);
    this.span = windowSpan(this.frames, this.stride);
    ({
      augment: this.augment,
      evalTransform: this.evalTransform,
      shuffle: this.shuffle,
      dropLast: this.dropLast,
      affine: this.affine,
      margin: this.margin,
    } = samplingSettings(source, options));
    this.views = options.views ?? 1;
    if (!Number.isInteger(this.views) || this.views <= 0) throw new ConfigError(`views must be a positive integer, got ${this.views}`);
    if (this.augment !== undefined && this.views !== 1)
      throw new ConfigError(`views must be 1 in training (augment set), got ${this.views}`);
    this.spatialCrops = options.spatialCrops ?? 1;
    if (this.spatialCrops !== 1 && this.spatialCrops !== 3) {
      throw new ConfigError(`spatialCrops must be 1 or 3, got ${this.spatialCrops}`);
    }
    if (this.augment !== undefined && this.spatialCrops !== 1)
      throw new ConfigError(`spatialCrops must be 1 in training (augment set), got ${this.spatialCrops}`);
    this.shortClip = options.shortClip ?? 'pad';
    if (!SHORT_CLIP_POLICIES.includes(this.shortClip)) {
      throw new ConfigError(`shortClip must be one of ${SHORT_CLIP_POLICIES.join(', ')}, got ${JSON.stringify(this.shortClip)}`);
    }
    if (this.shortClip === 'error') this.rejectShortClips();
    this.batchesPerEpoch = countBatches(source.name, source.size, this.batchSize, this.dropLast, 'clips');
  }

  /** The data set indices of epoch `epoch`, in the order the batches take them. */
  order(epoch: number): Int32Array {
    return epochOrder(this.source.size, this.shuffle, this.seed, epoch);
  }

  /** Batches of epoch `epoch` from `startBatch` (default 0); the consumer disposes each batch. */
  epoch(epoch: number, options: { readonly startBatch?: number } = {}): AsyncIterableIterator<VideoBatch> {
    checkEpoch(epoch);
    const startBatch = options.startBatch ?? 0;
    checkStartBatch(startBatch, this.batchesPerEpoch);
    return this.run(epoch, startBatch);
  }

  /**
   * Each batch of `epoch` at one (resolution, frames), e.g. for BN calibration. Each tensor is
   * disposed when the next one is requested or the loop ends.
   */
  configBatches(resolution: number, frames = this.frames, epoch = 0): AsyncIterableIterator<tf.Tensor5D> {
    if (!Number.isInteger(resolution) || resolution <= 0) throw new ConfigError(`resolution must be a positive integer, got ${resolution}`);
    subsampleFrames(this.frames, frames);
    return eachBatchThenDispose(this.epoch(epoch), (batch) => batch.clips(resolution, frames));
  }

  private async *run(epoch: number, startBatch: number): AsyncGenerator<VideoBatch> {
    const order = this.order(epoch);
    for await (const host of prefetched(startBatch, this.batchesPerEpoch, this.prefetch, (b) => this.prepare(order, epoch, b))) {
      yield new CroppedVideoBatch(host);
    }
  }

  private rejectShortClips(): void {
    for (let i = 0; i < this.source.size; i++) {
      const length = this.source.frameCounts[i] as number;
      if (length < this.span) {
        const name = this.source.clipName(i);
        throw new DatasetError(
          'too-short',
          name,
          `clip ${name} has ${length} frames, fewer than the ${this.frames}×${this.stride} window needs (${this.span}); use shortClip 'pad' or 'loop', or fewer frames or a smaller stride`,
        );
      }
    }
  }

  private async prepare(order: Int32Array, epoch: number, batch: number): Promise<HostVideoBatch> {
    const clipIndices = order.slice(batch * this.batchSize, Math.min((batch + 1) * this.batchSize, order.length));
    const rng = this.augment === undefined ? undefined : new Rng(deriveSeed(this.seed, epoch, batch, AUGMENT_STREAM));
    const windows = Array.from(clipIndices, (i) => {
      const length = this.source.frameCounts[i] as number;
      const starts = rng === undefined ? viewStarts(length, this.span, this.views) : [randomStart(rng, length, this.span)];
      return starts.map((start) => windowFrames(length, start, this.frames, this.stride, this.shortClip));
    });
    const decoded = await Promise.all(
      Array.from(clipIndices, (i, k) => {
        const views = windows[k] as Int32Array[];
        const wanted = new Int32Array(views.length * this.frames);
        views.forEach((w, v) => {
          wanted.set(w, v * this.frames);
        });
        return this.source.readClip(i, wanted);
      }),
    );
    await yieldToConsumer(); // the layout below is synchronous CPU work
    const channels = this.source.channels;
    const images: DecodedImage[] = [];
    const crops: CropBox[] = [];
    const frameCrops: CropBox[] = [];
    const indices: number[] = [];
    const labels: number[] = [];
    const frameIndices: Int32Array[] = [];
    decoded.forEach((clip, k) => {
      const index = clipIndices[k] as number;
      const expected = this.views * this.frames;
      if (clip.frames !== expected || clip.pixels.length !== expected * clip.height * clip.width * channels) {
        throw new ShapeError(
          `${this.source.clipName(index)}: readClip returned ${clip.frames} frames (${clip.pixels.length} bytes), expected ${expected}`,
        );
      }
      const clipCrops =
        this.spatialCrops === 1
          ? [cropFor(rng, this.augment, this.evalTransform, clip.height, clip.width)]
          : Array.from({ length: this.spatialCrops }, (_, c) =>
              spatialCropBox(clip.height, clip.width, this.evalTransform.cropFraction, c, this.spatialCrops),
            );
      const perFrame = clip.height * clip.width * channels;
      (windows[k] as Int32Array[]).forEach((w, v) => {
        for (const crop of clipCrops) {
          for (let f = v * this.frames; f < (v + 1) * this.frames; f++) {
            images.push({ pixels: clip.pixels.subarray(f * perFrame, (f + 1) * perFrame), height: clip.height, width: clip.width });
            frameCrops.push(crop);
          }
          indices.push(index);
          labels.push(this.source.labels[index] as number);
          crops.push(crop);
          frameIndices.push(w);
        }
      });
    });
    return {
      indices: Int32Array.from(indices),
      labels: Int32Array.from(labels),
      crops,
      views: this.views * this.spatialCrops,
      frames: this.frames,
      frameIndices,
      ...layoutBatch(images, frameCrops, channels, this.margin, this.affine),
    };
  }
}
