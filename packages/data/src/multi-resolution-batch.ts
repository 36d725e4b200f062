import { ConfigError, type InputSize } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import type { HostBatch } from './host-batch.js';
import type { CropBox } from './transforms.js';

export type { InputSize };

/** One batch: the SAME crop of every image, resizable to any resolution on demand. */
export interface MultiResolutionBatch {
  /** Images in this batch. */
  readonly size: number;
  /** Data set indices, for debugging and tests. */
  readonly indices: Int32Array;
  /** The crop of each image, in its source pixel coordinates. */
  readonly crops: readonly CropBox[];
  /** int32 class indices. */
  readonly labels: tf.Tensor1D;
  /**
   * [size, r, r, channels] float32, normalised; computed on first request from the batch's
   * single crop (bilinear, align-corners semantics) and cached until `dispose()` — do not
   * dispose it yourself. Throws ConfigError for a non-positive or non-integer r.
   */
  images(resolution: number): tf.Tensor4D;
  /**
   * The one batch interface shared with `VideoBatch` (what a trainer asks of any batch):
   * `images(size.resolution)`. Images have no time axis, so `size.frames` must be absent.
   */
  inputs(size: InputSize): tf.Tensor4D;
  /** Disposes the labels and every cached image tensor. */
  dispose(): void;
}

export class CroppedBatch implements MultiResolutionBatch {
  readonly size: number;
  readonly indices: Int32Array;
  readonly crops: readonly CropBox[];
  readonly labels: tf.Tensor1D;
  private readonly canvas: tf.Tensor4D;
  private readonly boxes: tf.Tensor2D;
  private readonly boxIndices: tf.Tensor1D;
  private readonly cache = new Map<number, tf.Tensor4D>();
  private disposed = false;

  constructor(host: HostBatch) {
    this.size = host.indices.length;
    this.indices = host.indices;
    this.crops = host.crops;
    // Kept: the batch may be created inside a caller's tf.tidy and must outlive it.
    this.labels = tf.keep(tf.tensor1d(host.labels, 'int32'));
    this.canvas = tf.keep(tf.tensor4d(host.canvas, [...host.canvasShape]));
    this.boxes = tf.keep(tf.tensor2d(host.boxes, [this.size, 4]));
    this.boxIndices = tf.keep(
      tf.tensor1d(
        Int32Array.from({ length: this.size }, (_, i) => i),
        'int32',
      ),
    );
  }

  images(resolution: number): tf.Tensor4D {
    if (this.disposed) throw new ConfigError('images() called on a disposed batch');
    if (!Number.isInteger(resolution) || resolution <= 0) {
      throw new ConfigError(`resolution must be a positive integer, got ${resolution}`);
    }
    let out = this.cache.get(resolution);
    if (out === undefined) {
      out = tf.keep(tf.image.cropAndResize(this.canvas, this.boxes, this.boxIndices, [resolution, resolution], 'bilinear', 0));
      this.cache.set(resolution, out);
    }
    return out;
  }

  inputs(size: InputSize): tf.Tensor4D {
    if (size.frames !== undefined) {
      throw new ConfigError(`a batch of images has no frames; got frames ${size.frames} (a video model needs a VideoStream)`);
    }
    return this.images(size.resolution);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose([this.labels, this.canvas, this.boxes, this.boxIndices, ...this.cache.values()]);
    this.cache.clear();
  }
}
