import { ConfigError } from '@adaptnet/core';
import { INPUT_LIMITS, readInputFile } from '@adaptnet/train/node';
import sharp from 'sharp';
import type { RawImage } from './draw.js';

const KIND = (channels: number) => (channels === 1 ? '1-channel (grey)' : `${channels}-channel (RGB)`);

/**
 * Reads and decodes an image (JPEG, PNG, WebP, …; EXIF rotation applied, alpha dropped) for a
 * detector that reads `channels`-channel images. A file with another channel count is refused with
 * a one-line error unless `convert` is set (then it is converted: RGB → grey by luminance, grey → RGB
 * by repetition): a detector trained on grey items sees colour photographs as a different domain,
 * so converting is a decision the user makes.
 */
export async function readImage(path: string, channels: 1 | 3, options: { convert?: boolean } = {}): Promise<RawImage> {
  const bytes = await readInputFile(path, INPUT_LIMITS.imageBytes, 'image');
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes).metadata();
  } catch (e) {
    throw new ConfigError(
      `cannot decode image ${path} (JPEG, PNG, WebP, GIF, TIFF or SVG expected): ${(e as Error).message.split('\n')[0]}`,
    );
  }
  const fileChannels = (meta.channels ?? 0) - (meta.hasAlpha ? 1 : 0);
  if (fileChannels !== channels && !options.convert) {
    throw new ConfigError(
      `image ${path} has ${fileChannels} colour channel(s) (${meta.space ?? 'unknown space'}); this detector reads ${KIND(channels)} images: pass --convert to convert it`,
    );
  }
  const pipeline = sharp(bytes).rotate().removeAlpha();
  const decoded = await (channels === 1 ? pipeline.grayscale() : pipeline.toColourspace('srgb'))
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width, height } = decoded.info;
  let pixels = new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength);
  if (decoded.info.channels !== channels) {
    // sharp keeps one band for a grey source even when sRGB is asked for: repeat it.
    const rgb = new Uint8Array(width * height * channels);
    for (let i = 0; i < width * height; i++) rgb.fill(pixels[i * decoded.info.channels] as number, i * channels, (i + 1) * channels);
    pixels = rgb;
  }
  return { pixels, width, height, channels };
}
