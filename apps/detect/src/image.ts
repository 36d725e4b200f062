import { ConfigError } from '@adaptnet/core';
import { INPUT_LIMITS, readInputFile } from '@adaptnet/train/node';
import sharp from 'sharp';
import type { RawImage } from './draw.js';

const KIND = (channels: number) => (channels === 1 ? '1-channel (grey)' : `${channels}-channel (RGB)`);

/** 1 when every pixel has equal colour channels (a grey picture, whatever its file stores), else the channel count. */
function colourChannels(data: Uint8Array, channels: number): number {
  if (channels === 1) return 1;
  for (let i = 0; i < data.length; i += channels) {
    for (let c = 1; c < channels; c++) if (data[i + c] !== data[i]) return channels;
  }
  return 1;
}

/**
 * Reads and decodes an image (JPEG, PNG, WebP, …; EXIF rotation applied, alpha dropped) for a
 * detector that reads `channels`-channel images. A grey picture is one whose colour channels are
 * equal everywhere, however the file stores it (PNG writers often store grey as RGB). A picture with
 * another channel count is refused with a one-line error unless `convert` is set (then RGB → grey by
 * luminance, grey → RGB by repetition): a detector trained on grey items sees colour photographs as
 * another domain, so converting is the user's decision.
 */
export async function readImage(path: string, channels: 1 | 3, options: { convert?: boolean } = {}): Promise<RawImage> {
  const bytes = await readInputFile(path, INPUT_LIMITS.imageBytes, 'image');
  let decoded: { data: Buffer; info: sharp.OutputInfo };
  try {
    decoded = await sharp(bytes).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new ConfigError(
      `cannot decode image ${path} (JPEG, PNG, WebP, GIF, TIFF or SVG expected): ${(e as Error).message.split('\n')[0]}`,
    );
  }
  const { width, height } = decoded.info;
  const raw = new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength);
  const found = colourChannels(raw, decoded.info.channels);
  if (found !== channels && !options.convert) {
    throw new ConfigError(
      `image ${path} has ${KIND(found)} pixels; this detector reads ${KIND(channels)} images: pass --convert to convert it`,
    );
  }
  if (decoded.info.channels === channels) return { pixels: raw, width, height, channels };
  if (found === 1) {
    // Grey content: take the first band, repeated as often as the detector needs.
    const out = new Uint8Array(width * height * channels);
    for (let i = 0; i < width * height; i++) out.fill(raw[i * decoded.info.channels] as number, i * channels, (i + 1) * channels);
    return { pixels: out, width, height, channels };
  }
  const grey = await sharp(raw, { raw: { width, height, channels: decoded.info.channels as 3 | 4 } })
    .grayscale()
    .raw()
    .toBuffer();
  return { pixels: new Uint8Array(grey.buffer, grey.byteOffset, grey.byteLength), width, height, channels: 1 };
}
