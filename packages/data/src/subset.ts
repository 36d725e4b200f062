import { ConfigError, Rng, ShapeError } from '@adaptnet/core';
import { checkIndex, createImageDataset, type ImageDataset, type ImageSource, isImageDataset } from './dataset.js';

/** The images at `indices` (in that order, repeats allowed) as a new set sharing class names. */
export function subset(ds: ImageDataset, indices: ArrayLike<number>, name?: string): ImageDataset;
export function subset(ds: ImageSource, indices: ArrayLike<number>, name?: string): ImageSource;
export function subset(ds: ImageDataset | ImageSource, indices: ArrayLike<number>, name?: string): ImageDataset | ImageSource;
export function subset(ds: ImageDataset | ImageSource, indices: ArrayLike<number>, name?: string): ImageDataset | ImageSource {
  const picked = Int32Array.from(indices, (i) => checkIndex(ds, i));
  const subName = name ?? `${ds.name}[${picked.length}]`;
  const labels = Int32Array.from(picked, (i) => ds.labels[i] as number);
  if (isImageDataset(ds)) {
    const stride = ds.height * ds.width * ds.channels;
    const pixels = new Uint8Array(picked.length * stride);
    picked.forEach((src, i) => {
      pixels.set(ds.pixels.subarray(src * stride, (src + 1) * stride), i * stride);
    });
    return createImageDataset({ ...ds, name: subName, pixels, labels });
  }
  const parent = ds;
  return Object.freeze({
    name: subName,
    size: picked.length,
    channels: parent.channels,
    numClasses: parent.numClasses,
    classNames: parent.classNames,
    labels,
    height: parent.height,
    width: parent.width,
    read: (at: ArrayLike<number>) =>
      parent.read(Array.from(at, (i) => picked[checkIndex({ name: subName, size: picked.length }, i)] as number)),
  });
}

function checkCount(ds: { name: string; size: number }, count: number, what: string): void {
  if (!Number.isInteger(count) || count < 0 || count > ds.size) {
    throw new ConfigError(`${what} must be an integer in 0..${ds.size} (the size of ${ds.name}), got ${count}`);
  }
}

/** A seeded permutation of 0..n−1 (Fisher–Yates with `Rng(seed)`). */
export function seededPermutation(n: number, seed: number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const rng = new Rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = order[i] as number;
    order[i] = order[j] as number;
    order[j] = tmp;
  }
  return order;
}

/** `count` distinct images drawn with `Rng(seed)`: the first `count` of a seeded permutation. */
export function randomSample(ds: ImageDataset, count: number, seed?: number, name?: string): ImageDataset;
export function randomSample(ds: ImageSource, count: number, seed?: number, name?: string): ImageSource;
export function randomSample(ds: ImageDataset | ImageSource, count: number, seed?: number, name?: string): ImageDataset | ImageSource;
export function randomSample(ds: ImageDataset | ImageSource, count: number, seed = 0, name?: string): ImageDataset | ImageSource {
  checkCount(ds, count, 'count');
  return subset(ds, seededPermutation(ds.size, seed).subarray(0, count), name ?? `${ds.name}[random ${count}, seed ${seed}]`);
}

/**
 * The fixed set of training images BN calibration runs on (US-Net / MutualNet: 2000): a seeded
 * random sample, the same for every configuration and every run with the same seed.
 */
export function calibrationImages(ds: ImageDataset, count?: number, seed?: number): ImageDataset;
export function calibrationImages(ds: ImageSource, count?: number, seed?: number): ImageSource;
export function calibrationImages(ds: ImageDataset | ImageSource, count?: number, seed?: number): ImageDataset | ImageSource;
export function calibrationImages(ds: ImageDataset | ImageSource, count = 2000, seed = 0): ImageDataset | ImageSource {
  return randomSample(ds, count, seed, `${ds.name}/calibration-${count}-seed${seed}`);
}

/** A seeded split: `[first count images of a seeded permutation, the rest]`. */
export function randomSplit(ds: ImageDataset, count: number, seed?: number): [ImageDataset, ImageDataset];
export function randomSplit(ds: ImageSource, count: number, seed?: number): [ImageSource, ImageSource];
export function randomSplit(
  ds: ImageDataset | ImageSource,
  count: number,
  seed?: number,
): [ImageDataset | ImageSource, ImageDataset | ImageSource];
export function randomSplit(
  ds: ImageDataset | ImageSource,
  count: number,
  seed = 0,
): [ImageDataset | ImageSource, ImageDataset | ImageSource] {
  checkCount(ds, count, 'count');
  const order = seededPermutation(ds.size, seed);
  return [subset(ds, order.subarray(0, count), `${ds.name}/split-a`), subset(ds, order.subarray(count), `${ds.name}/split-b`)];
}

/** The first `perClass` images of every class, in data set order; throws when a class has fewer. */
export function takePerClass(ds: ImageDataset, perClass: number): ImageDataset;
export function takePerClass(ds: ImageSource, perClass: number): ImageSource;
export function takePerClass(ds: ImageDataset | ImageSource, perClass: number): ImageDataset | ImageSource;
export function takePerClass(ds: ImageDataset | ImageSource, perClass: number): ImageDataset | ImageSource {
  if (!Number.isInteger(perClass) || perClass < 1) throw new ConfigError(`perClass must be a positive integer, got ${perClass}`);
  const taken = new Int32Array(ds.numClasses);
  const picked: number[] = [];
  ds.labels.forEach((y, i) => {
    if ((taken[y] as number) < perClass) {
      taken[y] = (taken[y] as number) + 1;
      picked.push(i);
    }
  });
  const short = Array.from(taken).findIndex((n) => n < perClass);
  if (short >= 0) {
    throw new ConfigError(
      `class ${short} (${ds.classNames[short]}) of ${ds.name} has ${taken[short]} images, fewer than perClass=${perClass}`,
    );
  }
  return subset(ds, picked, `${ds.name}/first-${perClass}-per-class`);
}

/** Reads every image of a source whose images all have the same size into an in-memory set. */
export async function toImageDataset(source: ImageDataset | ImageSource, options: { readonly chunk?: number } = {}): Promise<ImageDataset> {
  if (isImageDataset(source)) return source;
  const chunk = options.chunk ?? 256;
  const { height, width, channels } = source;
  if (height === undefined || width === undefined) {
    throw new ShapeError(`${source.name}: images differ in size; load it with a fixed side (e.g. loadImageFolder({ side: 32 })) first`);
  }
  const stride = height * width * channels;
  const pixels = new Uint8Array(source.size * stride);
  for (let start = 0; start < source.size; start += chunk) {
    const indices = Array.from({ length: Math.min(chunk, source.size - start) }, (_, i) => start + i);
    const images = await source.read(indices);
    images.forEach((img, i) => {
      if (img.height !== height || img.width !== width || img.pixels.length !== stride) {
        throw new ShapeError(`${source.name}: image ${start + i} is ${img.height}×${img.width}, expected ${height}×${width}×${channels}`);
      }
      pixels.set(img.pixels, (start + i) * stride);
    });
  }
  return createImageDataset({ name: source.name, height, width, channels, classNames: source.classNames, pixels, labels: source.labels });
}
