import { asImageSource, createImageDataset, type DecodedImage, type ImageDataset, type ImageSource } from '../../src/index.js';

/** A plain float64 image, HWC. */
export interface RefImage {
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly data: Float64Array;
}

export const at = (img: RefImage, y: number, x: number, ch: number) => img.data[(y * img.w + x) * img.c + ch] as number;

/** Zero-pad then crop h×w at offset (dy, dx) relative to the image, then optionally mirror: torchvision's pad + RandomCrop + flip. */
export function padCropRef(img: RefImage, dy: number, dx: number, flip: boolean): RefImage {
  const out = new Float64Array(img.h * img.w * img.c);
  for (let y = 0; y < img.h; y++) {
    for (let x = 0; x < img.w; x++) {
      const sy = y + dy;
      const sx = (flip ? img.w - 1 - x : x) + dx;
      for (let ch = 0; ch < img.c; ch++) {
        const inside = sy >= 0 && sy < img.h && sx >= 0 && sx < img.w;
        out[(y * img.w + x) * img.c + ch] = inside ? at(img, sy, sx, ch) : 0;
      }
    }
  }
  return { h: img.h, w: img.w, c: img.c, data: out };
}

/** Align-corners bilinear resize (PyTorch `align_corners=True`), float64. */
export function resizeAlignCornersRef(img: RefImage, r: number): RefImage {
  const out = new Float64Array(r * r * img.c);
  const sy = r > 1 ? (img.h - 1) / (r - 1) : 0;
  const sx = r > 1 ? (img.w - 1) / (r - 1) : 0;
  for (let i = 0; i < r; i++) {
    const fy = i * sy;
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, img.h - 1);
    const ty = fy - y0;
    for (let j = 0; j < r; j++) {
      const fx = j * sx;
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, img.w - 1);
      const tx = fx - x0;
      for (let ch = 0; ch < img.c; ch++) {
        const top = at(img, y0, x0, ch) * (1 - tx) + at(img, y0, x1, ch) * tx;
        const bottom = at(img, y1, x0, ch) * (1 - tx) + at(img, y1, x1, ch) * tx;
        out[(i * r + j) * img.c + ch] = top * (1 - ty) + bottom * ty;
      }
    }
  }
  return { h: r, w: r, c: img.c, data: out };
}

/** Image `k` of an in-memory set as float64 (pixel/255 − mean)/std. */
export function refImage(ds: ImageDataset, k: number, mean = [0], std = [1]): RefImage {
  const n = ds.height * ds.width * ds.channels;
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ch = i % ds.channels;
    data[i] = ((ds.pixels[k * n + i] as number) / 255 - (mean[ch] ?? (mean[0] as number))) / (std[ch] ?? (std[0] as number));
  }
  return { h: ds.height, w: ds.width, c: ds.channels, data };
}

/** Normalised values of an RefImage: (v − mean)/std per channel, applied to a [0,1]-scaled image. */
export function normalizeRef(img: RefImage, mean: readonly number[], std: readonly number[]): RefImage {
  return { ...img, data: img.data.map((v, i) => (v - (mean[i % img.c] as number)) / (std[i % img.c] as number)) };
}

/** Deterministic pseudo-random bytes (LCG), independent of the code under test. */
export function bytes(n: number, seed: number): Uint8Array {
  let s = seed >>> 0 || 1;
  return Uint8Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  });
}

/** A synthetic set of `size` random images with labels i mod classes. */
export function syntheticDataset(size: number, h: number, w: number, c: number, seed = 1, classes = 3): ImageDataset {
  return createImageDataset({
    name: `synthetic-${size}`,
    height: h,
    width: w,
    channels: c,
    classNames: Array.from({ length: classes }, (_, i) => `class${i}`),
    pixels: bytes(size * h * w * c, seed),
    labels: Int32Array.from({ length: size }, (_, i) => i % classes),
  });
}

/** An ImageSource over a set that counts read() calls and the images they asked for. */
export function countingSource(ds: ImageDataset, delayMs = 0): ImageSource & { reads: number } {
  const inner = asImageSource(ds);
  const src = {
    ...inner,
    reads: 0,
    async read(indices: ArrayLike<number>): Promise<DecodedImage[]> {
      src.reads++;
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      return inner.read(indices);
    },
  };
  return src;
}

/** Collects an async iterator. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Byte-wise equality of two typed arrays (vitest's deep equality is slow on megabytes). */
export function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
