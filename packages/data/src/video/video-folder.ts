import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { ConfigError } from '@adaptnet/core';
import { DatasetError } from '../errors.js';
import { mapLimit, scanClassFolders } from '../files.js';
import { resizedSize } from '../transforms.js';
import { decodeFrames, probeVideo, type ToolPaths, type VideoProbe } from './ffmpeg.js';
import { checkClipIndex, checkFrameIndices, type DecodedClip, type VideoSource } from './video-source.js';

export interface VideoFolderOptions {
  /** One sub-folder per class; class order = sub-folder names sorted (by code point). */
  readonly dir: string;
  /** Frames are decoded with their shorter side resized to `side` pixels (aspect kept, area filter); 'keep' = as stored. Default 128. */
  readonly side?: number | 'keep';
  /** File extensions read as videos (case-insensitive). Default: `VIDEO_EXTENSIONS`. */
  readonly extensions?: readonly string[];
  /** Larger files are rejected (DatasetError 'too-large'). Default 2 GiB. */
  readonly maxFileBytes?: number;
  /** ffmpeg / ffprobe processes running at once (probing and decoding). Default: the number of CPUs. */
  readonly maxProcesses?: number;
  /** Kill a probe or decode that runs longer. Default 120 000 ms. */
  readonly timeoutMs?: number;
  /** Executables. Default 'ffmpeg' and 'ffprobe' from the PATH. */
  readonly ffmpeg?: string;
  readonly ffprobe?: string;
  /** Default: the folder path. */
  readonly name?: string;
}

/** A video folder, decoded by ffmpeg on each `readClip`. */
export interface VideoFolderSource extends VideoSource {
  /** Video paths, indexed like `labels`. */
  readonly files: readonly string[];
  /** Files in class folders that were not read (wrong extension). */
  readonly skipped: readonly string[];
  /** What ffprobe found for each file: stored size, frame count, codec. */
  readonly probes: readonly VideoProbe[];
  readonly side: number | 'keep';
}

export const VIDEO_EXTENSIONS: readonly string[] = Object.freeze([
  '.avi',
  '.mp4',
  '.m4v',
  '.mkv',
  '.webm',
  '.mov',
  '.mpg',
  '.mpeg',
  '.ogv',
  '.flv',
  '.wmv',
  '.3gp',
  '.gif',
]);
const DEFAULT_SIDE = 128;
const DEFAULT_MAX_FILE_BYTES = 2 * 1024 ** 3;
const VIDEO_FOLDER = { expected: 'videos', item: 'video', plural: 'videos' } as const;

/** Runs at most `limit` tasks at once, the rest queued in order. */
function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => queue.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

async function checkRegularFile(path: string, maxBytes: number): Promise<void> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (cause) {
    throw new DatasetError('unreadable', path, `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  if (!info.isFile()) throw new DatasetError('unreadable', path, `${path} is not a regular file; videos must be regular files`);
  if (info.size > maxBytes) {
    throw new DatasetError('too-large', path, `${path} has ${info.size} bytes, more than maxFileBytes (${maxBytes})`);
  }
}

/**
 * A folder of videos (`dir/<class>/<clip>`), in any format ffmpeg reads. Every file must be a
 * regular file within `maxFileBytes`; each is probed now (ffprobe: size and frame count), so an
 * unreadable one fails at once with its path. `readClip` decodes only the requested frames,
 * piped from ffmpeg as raw RGB — no temporary files.
 */
export async function loadVideoFolder(options: VideoFolderOptions): Promise<VideoFolderSource> {
  const settings = resolveSettings(options);
  const { classNames, files, labels, skipped } = await scanClassFolders(options.dir, settings.extensions, VIDEO_FOLDER);
  return videoFileSource(options.name ?? options.dir, files, labels, classNames, skipped, settings);
}

/** Options of `loadVideoFiles`: those of `loadVideoFolder` but the folder, and optional labels. */
export interface VideoFilesOptions extends Omit<VideoFolderOptions, 'dir' | 'extensions'> {
  /** Default `['unlabelled']`. */
  readonly classNames?: readonly string[];
  /** One per file, indices into `classNames`. Default: all 0. */
  readonly labels?: ArrayLike<number>;
}

/**
 * Given video files (e.g. the ones a user asks a prediction for) as a `VideoFolderSource`, with
 * the same checks, probing and decoding as `loadVideoFolder`; any extension is accepted.
 */
export async function loadVideoFiles(files: readonly string[], options: VideoFilesOptions = {}): Promise<VideoFolderSource> {
  if (files.length === 0) throw new ConfigError('loadVideoFiles: no files given');
  const classNames = [...(options.classNames ?? ['unlabelled'])];
  const labels = Array.from(options.labels ?? new Array<number>(files.length).fill(0));
  if (labels.length !== files.length) throw new ConfigError(`loadVideoFiles: ${labels.length} labels for ${files.length} files`);
  const bad = labels.find((l) => !Number.isInteger(l) || l < 0 || l >= classNames.length);
  if (bad !== undefined) throw new ConfigError(`loadVideoFiles: label ${bad} is not an index into the ${classNames.length} class names`);
  return videoFileSource(options.name ?? files.join(', '), [...files], labels, classNames, [], resolveSettings(options));
}

interface Settings {
  readonly side: number | 'keep';
  readonly maxFileBytes: number;
  readonly maxProcesses: number;
  readonly tools: ToolPaths;
  readonly extensions: ReadonlySet<string>;
}

function resolveSettings(options: Omit<VideoFolderOptions, 'dir'>): Settings {
  const side = options.side ?? DEFAULT_SIDE;
  if (side !== 'keep' && !(Number.isInteger(side) && side > 0))
    throw new ConfigError(`side must be a positive integer or 'keep', got ${side}`);
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (!(Number.isInteger(maxFileBytes) && maxFileBytes > 0))
    throw new ConfigError(`maxFileBytes must be a positive integer, got ${maxFileBytes}`);
  const maxProcesses = options.maxProcesses ?? availableParallelism();
  if (!(Number.isInteger(maxProcesses) && maxProcesses > 0))
    throw new ConfigError(`maxProcesses must be a positive integer, got ${maxProcesses}`);
  const timeoutMs = options.timeoutMs ?? 120_000;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new ConfigError(`timeoutMs must be a positive number, got ${timeoutMs}`);
  const tools: ToolPaths = { ffmpeg: options.ffmpeg ?? 'ffmpeg', ffprobe: options.ffprobe ?? 'ffprobe', timeoutMs };
  const extensions = new Set((options.extensions ?? VIDEO_EXTENSIONS).map((e) => e.toLowerCase()));
  return { side, maxFileBytes, maxProcesses, tools, extensions };
}

async function videoFileSource(
  name: string,
  files: readonly string[],
  labels: readonly number[],
  classNames: readonly string[],
  skipped: readonly string[],
  settings: Settings,
): Promise<VideoFolderSource> {
  const { side, maxFileBytes, maxProcesses, tools } = settings;
  const limit = limiter(maxProcesses);
  const probes = await mapLimit(files, maxProcesses, async (path) => {
    await checkRegularFile(path, maxFileBytes);
    return limit(() => probeVideo(path, tools));
  });
  const sizeOf = (p: VideoProbe) => (side === 'keep' ? { height: p.height, width: p.width } : resizedSize(p.height, p.width, side));
  const first = sizeOf(probes[0] as VideoProbe);
  const uniform = probes.every((p) => {
    const s = sizeOf(p);
    return s.height === first.height && s.width === first.width;
  });

  const readClip = async (index: number, frameIndices: ArrayLike<number>): Promise<DecodedClip> => {
    const path = files[checkClipIndex({ name, size: files.length }, index)] as string;
    const probe = probes[index] as VideoProbe;
    checkFrameIndices(path, probe.frames, frameIndices);
    const distinct = Int32Array.from(new Set(Array.from(frameIndices))).sort();
    const { height, width } = sizeOf(probe);
    const resize = height !== probe.height || width !== probe.width;
    // Checked again: the file may have been replaced since it was probed.
    await checkRegularFile(path, maxFileBytes);
    const decoded = await limit(() => decodeFrames(path, { frames: distinct, height, width, resize }, tools));
    const frameBytes = height * width * 3;
    const slot = new Map(Array.from(distinct, (f, k) => [f, k] as const));
    const pixels = new Uint8Array(frameIndices.length * frameBytes);
    for (let j = 0; j < frameIndices.length; j++) {
      const k = slot.get(frameIndices[j] as number) as number;
      pixels.set(decoded.subarray(k * frameBytes, (k + 1) * frameBytes), j * frameBytes);
    }
    return { pixels, frames: frameIndices.length, height, width };
  };

  return Object.freeze({
    name,
    size: files.length,
    channels: 3,
    numClasses: classNames.length,
    classNames: Object.freeze(classNames),
    labels: Int32Array.from(labels),
    frameCounts: Int32Array.from(probes, (p) => p.frames),
    height: uniform ? first.height : undefined,
    width: uniform ? first.width : undefined,
    files: Object.freeze(files),
    skipped: Object.freeze(skipped),
    probes: Object.freeze(probes),
    side,
    clipName: (index: number) => files[checkClipIndex({ name, size: files.length }, index)] as string,
    readClip,
  });
}
