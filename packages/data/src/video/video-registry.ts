import { ConfigError } from '@adaptnet/core';
import { checkSplit, type Split } from '../mnist-files.js';
import { splitFolder } from '../registry.js';
import { deriveSeed } from '../seed.js';
import { loadMovingFashionActions } from './load-moving-fashion.js';
import type { MovingActionsOptions } from './moving-fashion.js';
import { loadVideoFolder, type VideoFolderOptions } from './video-folder.js';
import type { VideoSource } from './video-source.js';

const TEST_SPLIT_STREAM = 21;

/** The names `loadVideoDataset` accepts (`folder:<path>` takes any path). */
export const VIDEO_DATASET_NAMES: readonly string[] = Object.freeze(['moving-fashion', 'moving-fashion-shuffled', 'folder:<path>']);

export interface LoadVideoDatasetOptions {
  /** Default 'train'. */
  readonly split?: Split;
  /** Fashion-MNIST folder for the moving-actions sets (default /usr/share/datasets/fashion-mnist). */
  readonly dir?: string;
  /** Options for the moving-actions sets (size, frames, canvas, distractors, noise, seed). */
  readonly actions?: Omit<MovingActionsOptions, 'shuffleFrames' | 'name'>;
  /** Options for `folder:<path>` (side, extensions, limits, executables). */
  readonly folder?: Omit<VideoFolderOptions, 'dir'>;
}

/**
 * A video set by name, for command lines: 'moving-fashion' (the default synthetic actions),
 * 'moving-fashion-shuffled' (its frame-shuffled control) or 'folder:<path>' (its `train/`, or
 * `test/` / `val/`, sub-folder for the split when present). Test clips come from Fashion-MNIST's
 * test items and another seed (derived from `seed`), so no trajectory repeats between the splits.
 */
export async function loadVideoDataset(spec: string, options: LoadVideoDatasetOptions = {}): Promise<VideoSource> {
  const split = checkSplit(options.split ?? 'train');
  if (spec.startsWith('folder:')) {
    const dir = await splitFolder(spec.slice('folder:'.length), split, 'folder:/data/ucf101');
    return loadVideoFolder({ ...options.folder, dir });
  }
  if (spec === 'moving-fashion' || spec === 'moving-fashion-shuffled') {
    const seed = options.actions?.seed ?? 0;
    return loadMovingFashionActions({
      ...options.actions,
      split,
      // Distinct clips for the two splits even with the same seed.
      seed: split === 'train' ? seed : deriveSeed(seed, TEST_SPLIT_STREAM),
      shuffleFrames: spec === 'moving-fashion-shuffled',
      ...(options.dir === undefined ? {} : { dir: options.dir }),
    });
  }
  throw new ConfigError(`unknown video dataset ${JSON.stringify(spec)}; allowed: ${VIDEO_DATASET_NAMES.join(', ')}`);
}
