import { join } from 'node:path';
import sharp from 'sharp';
import type { CocoDataset, CocoImage } from '../dataset.js';
import { CocoError } from '../errors.js';

/** A decoded image: height·width·channels bytes, HWC. */
export interface CocoPixels {
  readonly pixels: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

export interface LoadImageOptions {
  /** 1 (grey) or 3 (RGB, the default); images are converted as needed. */
  readonly channels?: 1 | 3;
}

/**
 * Decodes `imageDir/file_name` with sharp (JPEG, PNG, WebP, ...), applying EXIF orientation, and
 * checks its size against the instances file.
 */
export async function loadCocoImage(imageDir: string, image: CocoImage, options: LoadImageOptions = {}): Promise<CocoPixels> {
  const channels = options.channels ?? 3;
  if (channels !== 1 && channels !== 3) throw new CocoError('E_COCO_ARGUMENT', `channels must be 1 or 3, got ${String(channels)}`);
  const path = join(imageDir, image.fileName);
  let decoded: { data: Buffer; info: sharp.OutputInfo };
  try {
    const pipeline = sharp(path).rotate().removeAlpha();
    decoded = await (channels === 1 ? pipeline.grayscale() : pipeline.toColourspace('srgb')).raw().toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new CocoError('E_COCO_FILE', `image ${image.id} (${path}) cannot be decoded: ${(e as Error).message.split('\n')[0]}`);
  }
  const { width, height } = decoded.info;
  if (width !== image.width || height !== image.height) {
    throw new CocoError(
      'E_COCO_FILE',
      `image ${image.id} (${path}) is ${width}×${height} but the instances file says ${image.width}×${image.height}`,
    );
  }
  let pixels = new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength);
  if (decoded.info.channels !== channels) {
    // A grey source kept one band: repeat it.
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) rgb.fill(pixels[i * decoded.info.channels] as number, i * 3, i * 3 + 3);
    pixels = rgb;
  }
  return { pixels, width, height, channels };
}

/** A COCO folder: the validated instances file and its image folder. */
export interface CocoFolder {
  readonly dataset: CocoDataset;
  readonly imageDir: string;
  load(imageId: number, options?: LoadImageOptions): Promise<CocoPixels>;
}

/** Binds a dataset to its image folder (e.g. `instances_val2017.json` + `val2017/`). */
export function cocoFolder(dataset: CocoDataset, imageDir: string): CocoFolder {
  return { dataset, imageDir, load: (imageId, options) => loadCocoImage(imageDir, dataset.image(imageId), options) };
}
