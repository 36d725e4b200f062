import { join } from 'node:path';
import type { CocoDataset } from '@adaptnet/coco';
import { cocoFolder, readCocoDataset } from '@adaptnet/coco/node';
import { ConfigError, Rng } from '@adaptnet/core';
import type { DetectionSample } from '@adaptnet/detection';
import { loadDetectionSamples } from '@adaptnet/detection/node';

export type Split = 'train' | 'val';

export interface DetectionSplit {
  readonly gt: CocoDataset;
  readonly samples: readonly DetectionSample[];
}

/** The instances file of a split in a `make-data` folder. */
export const instancesPath = (dir: string, split: Split) => join(dir, 'annotations', `instances_${split}.json`);

/** Reads a split's ground truth (validated; a missing or malformed file is a one-line CocoError). */
export async function readSplitGroundTruth(dir: string, split: Split): Promise<CocoDataset> {
  return readCocoDataset(instancesPath(dir, split));
}

/** A seeded subset of a split's image ids (all of them when `count` is undefined or not smaller). */
export function subsetIds(ids: readonly number[], count: number | undefined, seed: number): number[] {
  if (count === undefined || count >= ids.length) return [...ids];
  return new Rng(seed * 7919 + 17)
    .shuffle([...ids])
    .slice(0, count)
    .sort((a, b) => a - b);
}

const loaded = new Map<string, Promise<DetectionSplit>>();

/**
 * A split's ground truth and decoded images in memory, loaded once per process (`compare` and
 * `table` read the same files repeatedly). `count` keeps a seeded subset of the images.
 */
export function loadSplit(
  dir: string,
  split: Split,
  channels: 1 | 3,
  options: { count?: number; seed?: number } = {},
): Promise<DetectionSplit> {
  const key = JSON.stringify([dir, split, channels, options.count ?? null, options.seed ?? 0]);
  let pending = loaded.get(key);
  if (pending === undefined) {
    pending = (async () => {
      const gt = await readSplitGroundTruth(dir, split);
      if (gt.imageIds.length === 0)
        throw new ConfigError(`${instancesPath(dir, split)} has no images; make the data with more --${split} images`);
      const ids = subsetIds(gt.imageIds, options.count, options.seed ?? 0);
      const samples = await loadDetectionSamples(cocoFolder(gt, join(dir, 'images')), { channels, imageIds: ids });
      return { gt, samples };
    })();
    pending.catch(() => loaded.delete(key));
    loaded.set(key, pending);
  }
  return pending;
}
