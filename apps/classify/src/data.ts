import {
  BatchStream,
  CIFAR10_NORMALIZE,
  calibrationImages,
  FASHION_MNIST_NORMALIZE,
  IMAGENET_NORMALIZE,
  type ImageDataset,
  type ImageSource,
  MNIST_NORMALIZE,
  type Normalization,
  randomSample,
} from '@adaptnet/data';
import { loadDataset } from '@adaptnet/data/node';
import type { RunManifest } from './run-manifest.js';

type DataSpec = RunManifest['data'];

/** Per-channel statistics of the known data sets; image folders use ImageNet's. */
export function defaultNormalization(dataset: string): Normalization {
  if (dataset === 'fashion-mnist') return FASHION_MNIST_NORMALIZE;
  if (dataset === 'mnist') return MNIST_NORMALIZE;
  if (dataset === 'cifar10') return CIFAR10_NORMALIZE;
  return IMAGENET_NORMALIZE;
}

const loaded = new Map<string, Promise<ImageDataset | ImageSource>>();

/** A split of a data set, loaded once per process (`compare` and `table` read the same files repeatedly). */
export function loadSplit(spec: Pick<DataSpec, 'dataset' | 'dir'>, split: 'train' | 'test'): Promise<ImageDataset | ImageSource> {
  const key = JSON.stringify([spec.dataset, spec.dir ?? null, split]);
  let pending = loaded.get(key);
  if (pending === undefined) {
    pending = loadDataset(spec.dataset, { split, ...(spec.dir === undefined ? {} : { dir: spec.dir }) });
    pending.catch(() => loaded.delete(key));
    loaded.set(key, pending);
  }
  return pending;
}

function normalize(spec: DataSpec): { mean: readonly number[]; std: readonly number[] } {
  return { mean: spec.normalize.mean, std: spec.normalize.std };
}

/** The training stream: pad-crop (small images, the reference recipe) or random-resized-crop, flip. */
export function trainStream(train: ImageDataset | ImageSource, spec: DataSpec, batchSize: number, seed: number): BatchStream {
  const source = spec.trainSubset !== undefined && spec.trainSubset < train.size ? randomSample(train, spec.trainSubset, seed) : train;
  const small = Math.max(spec.height, spec.width) <= 64;
  return new BatchStream(source, {
    batchSize,
    seed,
    augment: small ? { kind: 'pad-crop', padding: spec.height <= 28 ? 2 : 4, flip: true } : { kind: 'random-resized-crop', flip: true },
    normalize: normalize(spec),
  });
}

/** Evaluation batches (no augmentation, in order). */
export function evalStream(source: ImageDataset | ImageSource, spec: DataSpec, batchSize = 500): BatchStream {
  return new BatchStream(source, {
    batchSize,
    eval: { kind: 'center-crop', cropFraction: spec.evalCropFraction },
    normalize: normalize(spec),
  });
}

/** The fixed calibration images (2000 training images in the reference), evaluation transform. */
export function calibrationStream(train: ImageDataset | ImageSource, spec: DataSpec, count: number, seed: number): BatchStream {
  return evalStream(calibrationImages(train, Math.min(count, train.size), seed), spec, 250);
}
