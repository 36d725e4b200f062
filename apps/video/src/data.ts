import {
  calibrationClips,
  IMAGENET_NORMALIZE,
  type Normalization,
  seededPermutation,
  subsetClips,
  type VideoSource,
  VideoStream,
} from '@adaptnet/data';
import { loadVideoDataset } from '@adaptnet/data/node';
import type { RunManifest } from './run-manifest.js';

type DataSpec = RunManifest['data'];

/** Pixel mean and standard deviation of the moving-actions clips (on [0, 1]; measured over 200 training clips × 16 frames). */
export const MOVING_ACTIONS_NORMALIZE: Normalization = Object.freeze({ mean: [0.1436], std: [0.2491] });

export function isMovingActions(dataset: string): boolean {
  return dataset === 'moving-fashion' || dataset === 'moving-fashion-shuffled';
}

/** Per-channel statistics: the moving-actions sets', ImageNet's for video folders. */
export function defaultNormalization(dataset: string): Normalization {
  return isMovingActions(dataset) ? MOVING_ACTIONS_NORMALIZE : IMAGENET_NORMALIZE;
}

/** Moving-actions clips: 16 frames; their rendered side is `side`. */
export const MOVING_ACTIONS_FRAMES = 16;

const loaded = new Map<string, Promise<VideoSource>>();

type SplitSpec = Pick<DataSpec, 'dataset' | 'dir' | 'side' | 'trainClips' | 'testClips' | 'distractors'> & { readonly seed: number };

/**
 * A split of a clip set, loaded once per process (`compare` and `table` read the same clips
 * repeatedly). Moving actions: `trainClips`/`testClips` clips rendered at `side`; folders: decoded
 * with the short side at `side` (a seeded subset of `trainClips` for training).
 */
export function loadSplit(spec: SplitSpec, split: 'train' | 'test'): Promise<VideoSource> {
  const key = JSON.stringify([
    spec.dataset,
    spec.dir ?? null,
    spec.side,
    spec.trainClips ?? null,
    spec.testClips ?? null,
    spec.seed,
    split,
  ]);
  let pending = loaded.get(key);
  if (pending === undefined) {
    pending = loadUncached(spec, split);
    pending.catch(() => loaded.delete(key));
    loaded.set(key, pending);
  }
  return pending;
}

async function loadUncached(spec: SplitSpec, split: 'train' | 'test'): Promise<VideoSource> {
  const count = split === 'train' ? spec.trainClips : spec.testClips;
  if (isMovingActions(spec.dataset)) {
    return loadVideoDataset(spec.dataset, {
      split,
      ...(spec.dir === undefined ? {} : { dir: spec.dir }),
      actions: {
        canvas: spec.side,
        seed: spec.seed,
        ...(count === undefined ? {} : { size: count }),
        ...(spec.distractors === undefined ? {} : { distractors: spec.distractors }),
      },
    });
  }
  const source = await loadVideoDataset(spec.dataset, { split, folder: { side: spec.side } });
  if (count === undefined || count >= source.size) return source;
  return subsetClips(source, seededPermutation(source.size, spec.seed).subarray(0, count));
}

export function splitSpec(manifest: Pick<RunManifest, 'data' | 'train'>): SplitSpec {
  const d = manifest.data;
  return {
    dataset: d.dataset,
    side: d.side,
    seed: manifest.train.seed,
    ...(d.dir === undefined ? {} : { dir: d.dir }),
    ...(d.trainClips === undefined ? {} : { trainClips: d.trainClips }),
    ...(d.testClips === undefined ? {} : { testClips: d.testClips }),
    ...(d.distractors === undefined ? {} : { distractors: d.distractors }),
  };
}

function normalize(spec: DataSpec): Normalization {
  return { mean: spec.normalize.mean, std: spec.normalize.std };
}

/**
 * Training batches: a random window of `clipFrames` frames `stride` apart, one pad-crop (≤ 64 px)
 * or random-resized crop per clip, never flipped (the moving-actions classes are directions).
 */
export function trainStream(train: VideoSource, spec: DataSpec, batchSize: number, seed: number): VideoStream {
  const small = spec.side <= 64;
  return new VideoStream(train, {
    batchSize,
    seed,
    frames: spec.clipFrames,
    stride: spec.stride,
    augment: small
      ? { kind: 'pad-crop', padding: Math.max(2, Math.round(spec.side / 16)), flip: false }
      : { kind: 'random-resized-crop', flip: false },
    normalize: normalize(spec),
  });
}

/** Evaluation batches: `views` windows per clip, centre crop, in order. */
export function evalStream(source: VideoSource, spec: DataSpec, batchSize: number, views = 1): VideoStream {
  return new VideoStream(source, {
    batchSize,
    frames: spec.clipFrames,
    stride: spec.stride,
    views,
    eval: { kind: 'center-crop', cropFraction: spec.evalCropFraction },
    normalize: normalize(spec),
  });
}

/** The fixed calibration clips (centred window, evaluation transform). */
export function calibrationStream(train: VideoSource, spec: DataSpec, count: number, seed: number, batchSize: number): VideoStream {
  return evalStream(calibrationClips(train, Math.min(count, train.size), seed), spec, batchSize);
}
