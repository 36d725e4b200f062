import { ShapeError } from '@adaptnet/core';
import type { DecodedImage } from './dataset.js';
import type { PixelAffine } from './normalization.js';
import type { CropBox } from './transforms.js';

/** A batch prepared on the host: everything a MultiResolutionBatch needs, no tensors yet. */
export interface HostBatch {
  readonly indices: Int32Array;
  readonly labels: Int32Array;
  readonly crops: readonly CropBox[];
  /** [size, H, W, channels] normalised pixels; each image at (margin, margin), the rest the padding value. */
  readonly canvas: Float32Array;
  readonly canvasShape: readonly [number, number, number, number];
  /** Per image [y1, x1, y2, x2] in tf.image.cropAndResize's normalised canvas coordinates. */
  readonly boxes: Float32Array;
}

/**
 * Lays the images out on one zero-padded canvas (flipped images mirrored) and turns each crop into
 * a cropAndResize box. The canvas keeps `margin` pixels of padding around the largest image, so
 * every sample of a crop lies inside the canvas and cropAndResize never extrapolates: a sample a
 * rounding error outside an edge pixel still reads (almost only) that pixel.
 */
export function layoutBatch(
  images: readonly DecodedImage[],
  crops: readonly CropBox[],
  channels: number,
  margin: number,
  affine: PixelAffine,
): Pick<HostBatch, 'canvas' | 'canvasShape' | 'boxes'> {
  const n = images.length;
  let maxH = 0;
  let maxW = 0;
  for (const img of images) {
    if (img.pixels.length !== img.height * img.width * channels) {
      throw new ShapeError(
        `decoded image of ${img.height}×${img.width} has ${img.pixels.length} bytes, expected ${img.height * img.width * channels}`,
      );
    }
    maxH = Math.max(maxH, img.height);
    maxW = Math.max(maxW, img.width);
  }
  const H = maxH + 2 * margin;
  const W = maxW + 2 * margin;
  const C = channels;
  const perImage = H * W * C;
  const canvas = new Float32Array(n * perImage);
  const { scale, shift } = affine;
  const padIsZero = shift.every((v) => v === 0);
  const boxes = new Float32Array(4 * n);
  for (let k = 0; k < n; k++) {
    const img = images[k] as DecodedImage;
    const crop = crops[k] as CropBox;
    const base = k * perImage;
    if (!padIsZero) for (let p = 0; p < perImage; p++) canvas[base + p] = shift[p % C] as number;
    const { height: h, width: w, pixels } = img;
    for (let y = 0; y < h; y++) {
      const row = base + ((margin + y) * W + margin) * C;
      const src = y * w * C;
      for (let x = 0; x < w; x++) {
        const out = row + (crop.flip ? w - 1 - x : x) * C;
        const at = src + x * C;
        for (let c = 0; c < C; c++) canvas[out + c] = (pixels[at + c] as number) * (scale[c] as number) + (shift[c] as number);
      }
    }
    const left = crop.flip ? w - 1 - crop.right : crop.left;
    const right = crop.flip ? w - 1 - crop.left : crop.right;
    boxes[4 * k] = (margin + crop.top) / (H - 1);
    boxes[4 * k + 1] = (margin + left) / (W - 1);
    boxes[4 * k + 2] = (margin + crop.bottom) / (H - 1);
    boxes[4 * k + 3] = (margin + right) / (W - 1);
  }
  return { canvas, canvasShape: [n, H, W, C], boxes };
}
