import { ConfigError } from '@adaptnet/core';

/** Decoded frames of one clip: frames·height·width·channels bytes, frame-major, HWC per frame. */
export interface DecodedClip {
  readonly pixels: Uint8Array;
  readonly frames: number;
  readonly height: number;
  readonly width: number;
}

/**
 * A labelled clip set decoded on demand (video folders, the synthetic moving-actions set). Every
 * frame has `channels` channels; clip lengths and frame sizes may differ from clip to clip.
 */
export interface VideoSource {
  /** e.g. 'moving-fashion/train'. */
  readonly name: string;
  /** Number of clips. */
  readonly size: number;
  readonly channels: number;
  readonly numClasses: number;
  readonly classNames: readonly string[];
  readonly labels: Int32Array;
  /** Decodable frames of each clip. */
  readonly frameCounts: Int32Array;
  /** The common decoded frame height and width when every clip has the same size; undefined when they vary. */
  readonly height?: number | undefined;
  readonly width?: number | undefined;
  /** A path or name for clip `index`, used in error messages. */
  clipName(index: number): string;
  /** Decodes frames `frameIndices` of clip `index`, in that order (repeats allowed). */
  readClip(index: number, frameIndices: ArrayLike<number>): Promise<DecodedClip>;
}

export function checkClipIndex(source: { readonly name: string; readonly size: number }, index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= source.size) {
    throw new ConfigError(
      `clip ${index} is out of range for ${source.name} (${source.size} clips); allowed: integers 0..${source.size - 1}`,
    );
  }
  return index;
}

export function checkFrameIndices(name: string, length: number, frameIndices: ArrayLike<number>): void {
  for (let j = 0; j < frameIndices.length; j++) {
    const f = frameIndices[j] as number;
    if (!Number.isInteger(f) || f < 0 || f >= length) {
      throw new ConfigError(`frame ${f} is out of range for ${name} (${length} frames); allowed: integers 0..${length - 1}`);
    }
  }
}
