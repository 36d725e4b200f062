import { join } from 'node:path';
import { ConfigError } from '@adaptnet/core';
import type { ImageDataset } from './dataset.js';
import { DatasetError } from './errors.js';
import { firstExisting } from './files.js';
import { loadMnistIdx } from './idx.js';

export type Split = 'train' | 'test';

export function checkSplit(split: unknown): Split {
  if (split !== 'train' && split !== 'test') throw new ConfigError(`split must be 'train' or 'test', got ${JSON.stringify(split)}`);
  return split;
}

/** The four file names shared by MNIST and Fashion-MNIST. */
export function mnistFileNames(split: Split): { images: string; labels: string } {
  const prefix = split === 'train' ? 'train' : 't10k';
  return { images: `${prefix}-images-idx3-ubyte`, labels: `${prefix}-labels-idx1-ubyte` };
}

/**
 * Loads `<dir>/<prefix>-{images-idx3,labels-idx1}-ubyte[.gz]`; when a file is absent the error
 * names the `.gz` path and `install`.
 */
export async function loadMnistStyleDir(options: {
  readonly dir: string;
  readonly split: Split;
  readonly title: string;
  readonly name: string;
  readonly classNames: readonly string[];
  readonly install: string;
}): Promise<ImageDataset> {
  const files = mnistFileNames(options.split);
  const paths: string[] = [];
  for (const base of [files.images, files.labels]) {
    const gz = join(options.dir, `${base}.gz`);
    const found = await firstExisting([gz, join(options.dir, base)]);
    if (found === undefined) throw new DatasetError('missing', gz, `${options.title} not found at ${gz}; ${options.install}`);
    paths.push(found);
  }
  return loadMnistIdx({
    images: paths[0] as string,
    labels: paths[1] as string,
    name: options.name,
    classNames: options.classNames,
    missingHint: options.install,
  });
}
