import { ConfigError, ShapeError } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import type { HostBatch } from '../host-batch.js';
import type { InputSize } from '../multi-resolution-batch.js';
import type { CropBox } from '../transforms.js';
import { subsampleFrames } from './temporal.js';

/**
 * One batch of clips: the SAME crop of every frame of a clip, resampled on demand to any
 * (resolution, frames) — the video counterpart of `MultiResolutionBatch`. With `views` > 1
 * (evaluation), each clip contributes `views` consecutive samples.
 */
export interface VideoBatch {
  /** Samples: clips × views. */
  readonly size: number;
  /** Evaluation views per clip (1 in training); samples k·views … k·views + views − 1 are clip k's. */
  readonly views: number;
  /** Frames per sample at full temporal resolution (the stream's `frames`). */
  readonly frames: number;
  /** Data set index of each sample. */
  readonly indices: Int32Array;
  /** Source frame numbers of each sample's `frames` frames. */
  readonly frameIndices: readonly Int32Array[];
  /** The crop of each sample, in its frames' pixel coordinates (shared by all its frames and all views). */
  readonly crops: readonly CropBox[];
  /** int32 class indices, one per sample. */
  readonly labels: tf.Tensor1D;
  /**
   * [size, frames, r, r, channels] float32, normalised: the crop resized to r (bilinear, align
   * corners) at `frames` frames picked uniformly over the whole clip (`subsampleFrames`, MutualNet
   * §4.2; default all). Cached until `dispose()` — do not dispose it yourself.
   */
  clips(resolution: number, frames?: number): tf.Tensor5D;
  /**
   * The one batch interface shared with `MultiResolutionBatch` (what a trainer asks of any batch):
   * `clips(size.resolution, size.frames)`, all frames when `size.frames` is absent.
   */
  inputs(size: InputSize): tf.Tensor5D;
  /** Disposes the labels and every cached tensor. */
  dispose(): void;
}

/** A video batch prepared on the host: every frame of every sample laid out like a 2D batch. */
export interface HostVideoBatch extends HostBatch {
  readonly views: number;
  readonly frames: number;
  readonly frameIndices: readonly Int32Array[];
}

export class CroppedVideoBatch implements VideoBatch {
  readonly size: number;
  readonly views: number;
  readonly frames: number;
  readonly indices: Int32Array;
  readonly frameIndices: readonly Int32Array[];
  readonly crops: readonly CropBox[];
  readonly labels: tf.Tensor1D;
  private readonly canvas: tf.Tensor4D;
  private readonly boxes: Float32Array;
  private readonly cache = new Map<string, tf.Tensor5D>();
  private disposed = false;

  constructor(host: HostVideoBatch) {
    this.size = host.indices.length;
    this.views = host.views;
    this.frames = host.frames;
    this.indices = host.indices;
    this.frameIndices = host.frameIndices;
    this.crops = host.crops;
    if (host.canvasShape[0] !== this.size * this.frames) {
      throw new ShapeError(`video batch canvas holds ${host.canvasShape[0]} frames, expected ${this.size}×${this.frames}`);
    }
    this.boxes = host.boxes;
    // Kept: the batch may be created inside a caller's tf.tidy and must outlive it.
    this.labels = tf.keep(tf.tensor1d(host.labels, 'int32'));
    this.canvas = tf.keep(tf.tensor4d(host.canvas, [...host.canvasShape]));
  }

  clips(resolution: number, frames = this.frames): tf.Tensor5D {
    if (this.disposed) throw new ConfigError('clips() called on a disposed batch');
    if (!Number.isInteger(resolution) || resolution <= 0) throw new ConfigError(`resolution must be a positive integer, got ${resolution}`);
    const picked = subsampleFrames(this.frames, frames);
    const key = `${resolution}x${frames}`;
    let out = this.cache.get(key);
    if (out === undefined) {
      const n = this.size * frames;
      const boxes = new Float32Array(4 * n);
      const boxIndices = new Int32Array(n);
      for (let s = 0; s < this.size; s++) {
        for (let j = 0; j < frames; j++) {
          const frame = s * this.frames + (picked[j] as number);
          boxIndices[s * frames + j] = frame;
          boxes.set(this.boxes.subarray(4 * frame, 4 * frame + 4), 4 * (s * frames + j));
        }
      }
      const channels = this.canvas.shape[3];
      const resized = tf.keep(
        tf.tidy(() => {
          const flat = tf.image.cropAndResize(
            this.canvas,
            tf.tensor2d(boxes, [n, 4]),
            tf.tensor1d(boxIndices, 'int32'),
            [resolution, resolution],
            'bilinear',
            0,
          );
          return tf.reshape(flat, [this.size, frames, resolution, resolution, channels]) as tf.Tensor5D;
        }),
      );
      this.cache.set(key, resized);
      out = resized;
    }
    return out;
  }

  inputs(size: InputSize): tf.Tensor5D {
    return this.clips(size.resolution, size.frames ?? this.frames);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose([this.labels, this.canvas, ...this.cache.values()]);
    this.cache.clear();
  }
}

/** Multi-view evaluation: the mean over each clip's `views` consecutive rows of [clips·views, classes] scores. */
export function averageViews(scores: tf.Tensor2D, views: number): tf.Tensor2D {
  if (!Number.isInteger(views) || views <= 0) throw new ConfigError(`views must be a positive integer, got ${views}`);
  const [rows, classes] = scores.shape;
  if (rows % views !== 0) throw new ShapeError(`${rows} score rows are not a whole number of clips with ${views} views each`);
  return tf.tidy(() => tf.mean(tf.reshape(scores, [rows / views, views, classes]), 1) as tf.Tensor2D);
}
