import type { CocoDataset } from '@adaptnet/coco';
import { ConfigError, Rng, ShapeError } from '@adaptnet/core';
import * as tf from '@tensorflow/tfjs-core';
import type { ImageGeometry } from './postprocess.js';
import type { GroundTruth, ImageTargets, LevelShape, TargetOptions } from './targets.js';
import { assignTargets } from './targets.js';

/** One image in memory with its objects in original pixels. */
export interface DetectionSample {
  readonly imageId: number;
  /** HWC uint8. */
  readonly pixels: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly objects: readonly GroundTruth[];
}

export interface DetectionBatchOptions {
  /** Per-channel mean and std of pixels on [0, 1]. */
  readonly normalize: { readonly mean: readonly number[]; readonly std: readonly number[] };
  /** The padded input's height and width are multiples of this (the largest pyramid stride). Default 32. */
  readonly sizeDivisor?: number;
  /** The longer side is capped at `maxSizeRatio` × the shorter side's target (1000 / 600 in the paper). Default 5/3. */
  readonly maxSizeRatio?: number;
}

/**
 * The size an image is resized to for a shorter-side target `s` (Detectron's rule): scale so the
 * shorter side is `s` unless the longer side would exceed `maxSizeRatio · s`, then round.
 */
export function resizedSize(width: number, height: number, shorter: number, maxSizeRatio = 5 / 3): { width: number; height: number } {
  if (!(Number.isInteger(shorter) && shorter > 0)) throw new ConfigError(`size must be a positive integer, got ${shorter}`);
  const scale = Math.min(shorter / Math.min(width, height), (maxSizeRatio * shorter) / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * The network input shape `[1, H, W, C]` for an image of `width` × `height` at shorter side
 * `size`: resized as `resizedSize`, padded to a multiple of `sizeDivisor` (what `cost()` takes).
 */
export function inputShapeFor(
  width: number,
  height: number,
  size: number,
  options: { channels?: number; sizeDivisor?: number; maxSizeRatio?: number } = {},
): [number, number, number, number] {
  const d = resizedSize(width, height, size, options.maxSizeRatio);
  const div = options.sizeDivisor ?? 32;
  return [1, Math.ceil(d.height / div) * div, Math.ceil(d.width / div) * div, options.channels ?? 1];
}

/** Labels and boxes of a COCO image as ground truth (corners, contiguous labels; crowd boxes left out). */
export function groundTruthOf(dataset: CocoDataset, imageId: number): GroundTruth[] {
  return dataset
    .annotationsOf(imageId)
    .filter((a) => (a.iscrowd ?? 0) === 0)
    .map((a) => ({
      box: [a.bbox[0], a.bbox[1], a.bbox[0] + a.bbox[2], a.bbox[1] + a.bbox[3]] as const,
      label: dataset.labelOf(a.categoryId),
    }));
}

interface SizedBatch {
  readonly images: tf.Tensor4D;
  readonly geometry: ImageGeometry[];
  readonly objects: GroundTruth[][];
  readonly targets: Map<string, ImageTargets[]>;
}

/**
 * A batch of detection images that renders itself at any shorter-side size: the same images,
 * resized (bilinear) so the shorter side is the size, padded with black at the bottom and right to
 * a common multiple of `sizeDivisor`, normalised; boxes scaled by the same factors. Each size is
 * built once and kept until `dispose`. Implements `@adaptnet/train`'s `TrainBatch` (`labels`:
 * the classes of all objects in the batch, for logging).
 */
export class DetectionBatch {
  readonly samples: readonly DetectionSample[];
  readonly labels: tf.Tensor1D;
  private readonly options: Required<DetectionBatchOptions>;
  private readonly sizes = new Map<number, SizedBatch>();
  private disposed = false;

  constructor(samples: readonly DetectionSample[], options: DetectionBatchOptions) {
    if (samples.length === 0) throw new ConfigError('a detection batch needs at least one image');
    const channels = (samples[0] as DetectionSample).channels;
    for (const s of samples) {
      if (s.channels !== channels) throw new ShapeError(`image ${s.imageId} has ${s.channels} channels, the batch ${channels}`);
      if (s.pixels.length !== s.width * s.height * s.channels) {
        throw new ShapeError(`image ${s.imageId}: ${s.pixels.length} pixel values for ${s.width}×${s.height}×${s.channels}`);
      }
    }
    if (options.normalize.mean.length !== channels || options.normalize.std.length !== channels) {
      throw new ShapeError(
        `normalize has ${options.normalize.mean.length} mean(s) and ${options.normalize.std.length} std(s), the images ${channels} channel(s)`,
      );
    }
    this.samples = samples;
    this.options = { sizeDivisor: 32, maxSizeRatio: 5 / 3, ...options };
    this.labels = tf.tensor1d(
      samples.flatMap((s) => s.objects.map((o) => o.label)),
      'int32',
    );
  }

  get size(): number {
    return this.samples.length;
  }

  private sized(shorter: number): SizedBatch {
    if (this.disposed) throw new ConfigError('this detection batch was disposed');
    const hit = this.sizes.get(shorter);
    if (hit !== undefined) return hit;
    const dims = this.samples.map((s) => resizedSize(s.width, s.height, shorter, this.options.maxSizeRatio));
    const div = this.options.sizeDivisor;
    const padH = Math.ceil(Math.max(...dims.map((d) => d.height)) / div) * div;
    const padW = Math.ceil(Math.max(...dims.map((d) => d.width)) / div) * div;
    const { mean, std } = this.options.normalize;
    const images = tf.tidy(() => {
      const each = this.samples.map((s, i) => {
        const d = dims[i] as { width: number; height: number };
        const raw = tf.div(tf.tensor3d(s.pixels, [s.height, s.width, s.channels], 'float32'), 255) as tf.Tensor3D;
        const resized = d.width === s.width && d.height === s.height ? raw : tf.image.resizeBilinear(raw, [d.height, d.width], false, true);
        return tf.pad(resized, [
          [0, padH - d.height],
          [0, padW - d.width],
          [0, 0],
        ]);
      });
      return tf.div(tf.sub(tf.stack(each), tf.tensor1d([...mean])), tf.tensor1d([...std])) as tf.Tensor4D;
    });
    const geometry = this.samples.map((s, i) => {
      const d = dims[i] as { width: number; height: number };
      return { width: s.width, height: s.height, scaleX: d.width / s.width, scaleY: d.height / s.height };
    });
    const objects = this.samples.map((s, i) => {
      const g = geometry[i] as ImageGeometry;
      return s.objects.map((o) => ({
        label: o.label,
        box: [o.box[0] * g.scaleX, o.box[1] * g.scaleY, o.box[2] * g.scaleX, o.box[3] * g.scaleY] as const,
      }));
    });
    const entry = { images, geometry, objects, targets: new Map<string, ImageTargets[]>() };
    this.sizes.set(shorter, entry);
    return entry;
  }

  /** The images at shorter side `size`, `[N, H, W, C]`, owned by the batch. */
  images(size: number): tf.Tensor4D {
    return this.sized(size).images;
  }

  /** `images(size.resolution)`: the batch interface `@adaptnet/train` generalises to clips. */
  inputs(size: { readonly resolution: number; readonly frames?: number }): tf.Tensor4D {
    if (size.frames !== undefined) throw new ConfigError(`a detection batch holds images, not clips (frames ${size.frames} given)`);
    return this.images(size.resolution);
  }

  /** Where each image sits in `images(size)`. */
  geometry(size: number): readonly ImageGeometry[] {
    return this.sized(size).geometry;
  }

  /** The objects in `images(size)` pixels. */
  objects(size: number): readonly (readonly GroundTruth[])[] {
    return this.sized(size).objects;
  }

  /** FCOS targets of every image at `size` on the given levels (computed once per size and levels). */
  targets(size: number, levels: readonly LevelShape[], options: TargetOptions = {}): readonly ImageTargets[] {
    const entry = this.sized(size);
    const key = JSON.stringify([levels, options]);
    let t = entry.targets.get(key);
    if (t === undefined) {
      t = entry.objects.map((objs) => assignTargets(objs, levels, options));
      entry.targets.set(key, t);
    }
    return t;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const s of this.sizes.values()) s.images.dispose();
    this.sizes.clear();
    this.labels.dispose();
  }
}

export function isDetectionBatch(batch: unknown): batch is DetectionBatch {
  return (
    batch instanceof DetectionBatch ||
    (typeof batch === 'object' && batch !== null && 'targets' in batch && 'geometry' in batch && 'samples' in batch)
  );
}

export interface DetectionDataOptions extends DetectionBatchOptions {
  readonly batchSize: number;
  /** Shuffle seed; epoch e uses a permutation drawn from (seed, e), so resuming mid-epoch sees the same order. Default 0. */
  readonly seed?: number;
  /** Default true. */
  readonly shuffle?: boolean;
}

/**
 * Training data for `@adaptnet/train`'s `Trainer`: in-memory samples in shuffled batches (the last
 * partial batch dropped), deterministic per epoch so that a resumed run continues exactly.
 */
export class DetectionData {
  readonly samples: readonly DetectionSample[];
  readonly options: DetectionDataOptions;
  readonly batchesPerEpoch: number;

  constructor(samples: readonly DetectionSample[], options: DetectionDataOptions) {
    if (!Number.isInteger(options.batchSize) || options.batchSize <= 0)
      throw new ConfigError(`batchSize must be a positive integer, got ${options.batchSize}`);
    this.samples = samples;
    this.options = options;
    this.batchesPerEpoch = Math.floor(samples.length / options.batchSize);
  }

  /** Sample order of `epoch`. */
  order(epoch: number): number[] {
    const idx = this.samples.map((_, i) => i);
    if (this.options.shuffle === false) return idx;
    return new Rng((this.options.seed ?? 0) * 1_000_003 + epoch).shuffle(idx);
  }

  async *epoch(epoch: number, options: { startBatch?: number } = {}): AsyncIterableIterator<DetectionBatch> {
    const order = this.order(epoch);
    const bs = this.options.batchSize;
    for (let b = options.startBatch ?? 0; b < this.batchesPerEpoch; b++) {
      yield new DetectionBatch(
        order.slice(b * bs, (b + 1) * bs).map((i) => this.samples[i] as DetectionSample),
        this.options,
      );
    }
  }
}
