import { ConfigError } from '@adaptnet/core';
import sharp from 'sharp';
import { checkIndex, type DecodedImage, type ImageSource } from './dataset.js';
import { DatasetError } from './errors.js';
import { mapLimit, scanClassFolders } from './files.js';
import { resizedSize } from './transforms.js';

export interface ImageFolderOptions {
  /** One sub-folder per class; class order = sub-folder names sorted (by code point). */
  readonly dir: string;
  /**
   * Decoded images are resized so that their shorter side is `side` pixels (aspect kept);
   * 'keep' decodes at the stored size. Default: 'keep' when every image has the same size, else 256.
   */
  readonly side?: number | 'keep';
  /** 3 (RGB; greyscale images are expanded) or 1 (greyscale; colour images are converted). Default 3. */
  readonly channels?: 1 | 3;
  /** File extensions read as images (case-insensitive). Default ['.jpg', '.jpeg', '.png']. */
  readonly extensions?: readonly string[];
  /** Default: the folder path. */
  readonly name?: string;
}

/** An image folder, decoded with sharp on each `read`. */
export interface ImageFolderSource extends ImageSource {
  /** Image paths, indexed like `labels`. */
  readonly files: readonly string[];
  /** Files found in class folders that were not read (wrong extension); hidden files are not listed. */
  readonly skipped: readonly string[];
  /** The stored side the images are decoded at ('keep' = as stored). */
  readonly side: number | 'keep';
}

const DEFAULT_EXTENSIONS = ['.jpg', '.jpeg', '.png'];
const DEFAULT_SIDE = 256;
const SCAN_CONCURRENCY = 16;
const IMAGE_FOLDER = { expected: 'JPEG/PNG images', item: 'image', plural: 'images' } as const;

/**
 * An ImageNet-style folder (`dir/<class>/<image>`), decoded lazily: `read` decodes with sharp
 * (in libuv's thread pool, so a BatchStream's prefetch overlaps decoding with training). Every
 * image's header is read once here, so an unreadable file fails now, with its path.
 */
export async function loadImageFolder(options: ImageFolderOptions): Promise<ImageFolderSource> {
  const { dir } = options;
  const channels = options.channels ?? 3;
  if (channels !== 1 && channels !== 3) throw new ConfigError(`channels must be 1 or 3, got ${channels}`);
  if (options.side !== undefined && options.side !== 'keep' && !(Number.isInteger(options.side) && options.side > 0)) {
    throw new ConfigError(`side must be a positive integer or 'keep', got ${options.side}`);
  }
  const extensions = new Set((options.extensions ?? DEFAULT_EXTENSIONS).map((e) => e.toLowerCase()));

  const { classNames, files, labels, skipped } = await scanClassFolders(dir, extensions, IMAGE_FOLDER);

  const sizes = await mapLimit(files, SCAN_CONCURRENCY, async (path) => {
    try {
      const meta = await sharp(path).metadata();
      if (!meta.width || !meta.height) throw new Error('no image dimensions in its header');
      return { height: meta.height, width: meta.width };
    } catch (cause) {
      throw new DatasetError('unreadable', path, `cannot decode image ${path}: ${(cause as Error).message}`, { cause });
    }
  });
  const first = sizes[0] as { height: number; width: number };
  const uniform = sizes.every((s) => s.height === first.height && s.width === first.width);
  const side = options.side ?? (uniform ? 'keep' : DEFAULT_SIDE);
  const common = uniform ? (side === 'keep' ? first : resizedSize(first.height, first.width, side)) : undefined;

  const decode = async (index: number): Promise<DecodedImage> => {
    const path = files[checkIndex(source, index)] as string;
    const stored = sizes[index] as { height: number; width: number };
    const target = side === 'keep' ? stored : resizedSize(stored.height, stored.width, side);
    try {
      let img = sharp(path);
      if (target.height !== stored.height || target.width !== stored.width) {
        img = img.resize({ width: target.width, height: target.height, fit: 'fill' });
      }
      img = img.removeAlpha().toColourspace(channels === 3 ? 'srgb' : 'b-w');
      const { data, info } = await img.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
      if (info.channels !== channels || info.height !== target.height || info.width !== target.width) {
        throw new Error(`decoded to ${info.height}×${info.width}×${info.channels}, expected ${target.height}×${target.width}×${channels}`);
      }
      return { pixels: new Uint8Array(data.buffer, data.byteOffset, data.length), height: info.height, width: info.width };
    } catch (cause) {
      throw new DatasetError('unreadable', path, `cannot decode image ${path}: ${(cause as Error).message}`, { cause });
    }
  };

  const source: ImageFolderSource = Object.freeze({
    name: options.name ?? dir,
    size: files.length,
    channels,
    numClasses: classNames.length,
    classNames: Object.freeze(classNames),
    labels: Int32Array.from(labels),
    height: common?.height,
    width: common?.width,
    files: Object.freeze(files),
    skipped: Object.freeze(skipped),
    side,
    read: (indices: ArrayLike<number>) => Promise.all(Array.from(indices, decode)),
  });
  return source;
}
