import { ConfigError, ShapeError } from '@adaptnet/core';

/** An in-memory labelled image set, pixels uint8 HWC. */
export interface ImageDataset {
  /** e.g. 'fashion-mnist/train'. */
  readonly name: string;
  /** Number of images. */
  readonly size: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly numClasses: number;
  readonly classNames: readonly string[];
  /** size·height·width·channels bytes, HWC per image. */
  readonly pixels: Uint8Array;
  /** One class index per image. */
  readonly labels: Int32Array;
}

/** One decoded image: height·width·channels bytes, HWC. */
export interface DecodedImage {
  readonly pixels: Uint8Array;
  readonly height: number;
  readonly width: number;
}

/**
 * A labelled image set decoded on demand (image folders). Every image has `channels` channels;
 * sizes may differ from image to image. `ImageDataset` is the in-memory special case: every API
 * that takes an `ImageSource` also takes an `ImageDataset`.
 */
export interface ImageSource {
  readonly name: string;
  readonly size: number;
  readonly channels: number;
  readonly numClasses: number;
  readonly classNames: readonly string[];
  readonly labels: Int32Array;
  /** The common height and width when every image has the same size; undefined when they vary. */
  readonly height?: number | undefined;
  readonly width?: number | undefined;
  /** Decodes the images at `indices`, in that order. */
  read(indices: ArrayLike<number>): Promise<DecodedImage[]>;
}

export function isImageDataset(source: ImageDataset | ImageSource): source is ImageDataset {
  return 'pixels' in source && source.pixels instanceof Uint8Array;
}

export function checkIndex(source: { readonly name: string; readonly size: number }, index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= source.size) {
    throw new ConfigError(
      `index ${index} is out of range for ${source.name} (size ${source.size}); allowed: integers 0..${source.size - 1}`,
    );
  }
  return index;
}

/** The in-memory set as an `ImageSource`; `read` returns views into `pixels`, no copies. */
export function asImageSource(source: ImageDataset | ImageSource): ImageSource {
  if (!isImageDataset(source)) return source;
  const ds = source;
  const stride = ds.height * ds.width * ds.channels;
  return {
    name: ds.name,
    size: ds.size,
    channels: ds.channels,
    numClasses: ds.numClasses,
    classNames: ds.classNames,
    labels: ds.labels,
    height: ds.height,
    width: ds.width,
    read: async (indices) =>
      Array.from(indices, (i) => {
        const at = checkIndex(ds, i) * stride;
        return { pixels: ds.pixels.subarray(at, at + stride), height: ds.height, width: ds.width };
      }),
  };
}

export interface ImageDatasetFields {
  readonly name: string;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly classNames: readonly string[];
  readonly pixels: Uint8Array;
  readonly labels: Int32Array;
}

/** Builds an `ImageDataset` after checking that pixels, labels and class names agree. */
export function createImageDataset(fields: ImageDatasetFields): ImageDataset {
  const { name, height, width, channels, classNames, pixels, labels } = fields;
  for (const [key, v] of [
    ['height', height],
    ['width', width],
    ['channels', channels],
  ] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new ShapeError(`${name}: ${key} must be a positive integer, got ${v}`);
  }
  const size = labels.length;
  const expected = size * height * width * channels;
  if (pixels.length !== expected) {
    throw new ShapeError(
      `${name}: ${size} labels of ${height}×${width}×${channels} images need ${expected} pixel bytes, got ${pixels.length}`,
    );
  }
  if (classNames.length === 0) throw new ConfigError(`${name}: classNames must not be empty`);
  const numClasses = classNames.length;
  for (let i = 0; i < size; i++) {
    const y = labels[i] as number;
    if (y < 0 || y >= numClasses) {
      throw new ConfigError(`${name}: label ${y} of image ${i} is outside 0..${numClasses - 1} (${numClasses} classes)`);
    }
  }
  return Object.freeze({ name, size, height, width, channels, numClasses, classNames: Object.freeze([...classNames]), pixels, labels });
}

/** Generic class names '0', '1', … for sets that come without names. */
export function numberedClasses(count: number): string[] {
  return Array.from({ length: count }, (_, i) => String(i));
}
