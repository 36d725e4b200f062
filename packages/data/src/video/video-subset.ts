import { ConfigError } from '@adaptnet/core';
import { seededPermutation } from '../subset.js';
import { checkClipIndex, type VideoSource } from './video-source.js';

/** The clips at `indices` (in that order, repeats allowed) as a new source sharing class names and decoding. */
export function subsetClips(source: VideoSource, indices: ArrayLike<number>, name?: string): VideoSource {
  const picked = Int32Array.from(indices, (i) => checkClipIndex(source, i));
  const subName = name ?? `${source.name}[${picked.length}]`;
  const parentOf = (i: number) => picked[checkClipIndex({ name: subName, size: picked.length }, i)] as number;
  return Object.freeze({
    name: subName,
    size: picked.length,
    channels: source.channels,
    numClasses: source.numClasses,
    classNames: source.classNames,
    labels: Int32Array.from(picked, (i) => source.labels[i] as number),
    frameCounts: Int32Array.from(picked, (i) => source.frameCounts[i] as number),
    height: source.height,
    width: source.width,
    clipName: (i: number) => source.clipName(parentOf(i)),
    readClip: (i: number, frameIndices: ArrayLike<number>) => source.readClip(parentOf(i), frameIndices),
  });
}

/**
 * The fixed clips BN calibration runs on: the first `count` of a seeded permutation, the same for
 * every configuration and every run with the same seed (the video counterpart of `calibrationImages`).
 */
export function calibrationClips(source: VideoSource, count = 2000, seed = 0): VideoSource {
  if (!Number.isInteger(count) || count < 0 || count > source.size) {
    throw new ConfigError(`count must be an integer in 0..${source.size} (the clips of ${source.name}), got ${count}`);
  }
  return subsetClips(source, seededPermutation(source.size, seed).subarray(0, count), `${source.name}/calibration-${count}-seed${seed}`);
}
