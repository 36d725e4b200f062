import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ConfigError } from '@adaptnet/core';
import type { DecodedClip, VideoSource } from '@adaptnet/data';
import { loadVideoFiles, VIDEO_EXTENSIONS } from '@adaptnet/data/node';

/** The videos `predict` was given: the file itself, or a folder's video files (by extension, sorted, not recursive). */
export async function videoFilesOf(path: string): Promise<string[]> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (e) {
    throw new ConfigError(
      `cannot read video ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (e as Error).message}`,
    );
  }
  if (!info.isDirectory()) return [path];
  const files = (await readdir(path, { withFileTypes: true }))
    .filter(
      (e) => !e.name.startsWith('.') && (e.isFile() || e.isSymbolicLink()) && VIDEO_EXTENSIONS.includes(extname(e.name).toLowerCase()),
    )
    .map((e) => join(path, e.name))
    .sort();
  if (files.length === 0) throw new ConfigError(`folder ${path} has no videos (extensions ${VIDEO_EXTENSIONS.join(', ')})`);
  return files;
}

/** ITU-R BT.601 luma of RGB pixels: the greyscale a 1-channel network sees. */
export function rgbToLuma(rgb: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgb.length / 3);
  for (let i = 0, j = 0; i < out.length; i++, j += 3) {
    out[i] = Math.round(0.299 * (rgb[j] as number) + 0.587 * (rgb[j + 1] as number) + 0.114 * (rgb[j + 2] as number));
  }
  return out;
}

/**
 * A source's clips as a network with `channels` input channels reads them: RGB → luma for a
 * 1-channel network, and optionally inverted (255 − v).
 */
export function adaptChannels(source: VideoSource, channels: number, invert: boolean): VideoSource {
  if (channels !== 1 && channels !== source.channels) {
    throw new ConfigError(`the run's network reads ${channels}-channel clips; videos decode to ${source.channels} channels`);
  }
  const toLuma = channels === 1 && source.channels === 3;
  if (!toLuma && !invert) return source;
  return Object.freeze({
    ...source,
    channels,
    clipName: (i: number) => source.clipName(i),
    readClip: async (index: number, frames: ArrayLike<number>): Promise<DecodedClip> => {
      const clip = await source.readClip(index, frames);
      const pixels = toLuma ? rgbToLuma(clip.pixels) : clip.pixels.slice();
      if (invert) for (let i = 0; i < pixels.length; i++) pixels[i] = 255 - (pixels[i] as number);
      return { ...clip, pixels };
    },
  });
}

/** Loads the videos for a prediction, decoded with the short side at `side` (every file is probed now: an unreadable one is named). */
export async function loadVideosForPrediction(path: string, side: number, classNames: readonly string[]): Promise<VideoSource> {
  const files = await videoFilesOf(path);
  return loadVideoFiles(files, { side, classNames, name: path });
}
