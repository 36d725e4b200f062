import { CocoError } from '../errors.js';

/** What a scene needs from a random source (`Rng` of @adaptnet/core fits). */
export interface SceneRng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

/** Grey item images, e.g. Fashion-MNIST: `size` images of height × width, one label each. */
export interface ItemSource {
  readonly size: number;
  readonly height: number;
  readonly width: number;
  readonly pixels: Uint8Array;
  readonly labels: Int32Array;
}

export interface SceneOptions {
  /** Canvas side range in pixels (width and height drawn separately); default 128–320. */
  readonly minCanvas?: number;
  readonly maxCanvas?: number;
  /** Items per image; default 1–6. */
  readonly minObjects?: number;
  readonly maxObjects?: number;
  /** Side of the square an item is resized to, drawn log-uniformly; default 16–160 (capped by the canvas). */
  readonly minSide?: number;
  readonly maxSide?: number;
  /** A new item's box may overlap an earlier one up to this IoU (default 0.5); placements above are redrawn. */
  readonly maxOverlap?: number;
  /** Unlabelled fragments of other items pasted per image at half brightness (default 0). */
  readonly clutter?: number;
}

export interface SceneObject {
  readonly label: number;
  /** Source item index. */
  readonly item: number;
  /** Tight box `[x, y, w, h]` around the item's non-zero pixels on the canvas. */
  readonly bbox: [number, number, number, number];
  /** Where the resized item went: its top-left corner and side. */
  readonly x: number;
  readonly y: number;
  readonly side: number;
  /** The resized item, side × side, as pasted. */
  readonly patch: Uint8Array;
}

export interface Scene {
  readonly width: number;
  readonly height: number;
  /** width · height grey pixels; items are composited with max (bright items on black). */
  readonly pixels: Uint8Array;
  readonly objects: SceneObject[];
}

/** Interpolated values below this are set to 0 so that a box does not grow by a faint resampling halo. */
const HALO = 8;

/** Bilinear resize of a grey image (half-pixel centres), rounded to bytes; values under `HALO` become 0. */
export function resizeGrey(src: Uint8Array, sh: number, sw: number, dh: number, dw: number): Uint8Array {
  const out = new Uint8Array(dh * dw);
  for (let y = 0; y < dh; y++) {
    const fy = Math.min(Math.max(((y + 0.5) * sh) / dh - 0.5, 0), sh - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, sh - 1);
    const wy = fy - y0;
    for (let x = 0; x < dw; x++) {
      const fx = Math.min(Math.max(((x + 0.5) * sw) / dw - 0.5, 0), sw - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, sw - 1);
      const wx = fx - x0;
      const top = (src[y0 * sw + x0] as number) * (1 - wx) + (src[y0 * sw + x1] as number) * wx;
      const bottom = (src[y1 * sw + x0] as number) * (1 - wx) + (src[y1 * sw + x1] as number) * wx;
      const v = Math.round(top * (1 - wy) + bottom * wy);
      out[y * dw + x] = v < HALO ? 0 : v;
    }
  }
  return out;
}

/** `[x, y, w, h]` of the non-zero pixels of a w × h grey image, or undefined when all are zero. */
export function nonZeroBox(pixels: Uint8Array, width: number, height: number): [number, number, number, number] | undefined {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (pixels[y * width + x] !== 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? undefined : [x0, y0, x1 - x0 + 1, y1 - y0 + 1];
}

function iou(a: readonly number[], b: readonly number[]): number {
  const w = Math.min(a[0]! + a[2]!, b[0]! + b[2]!) - Math.max(a[0]!, b[0]!);
  const h = Math.min(a[1]! + a[3]!, b[1]! + b[3]!) - Math.max(a[1]!, b[1]!);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / (a[2]! * a[3]! + b[2]! * b[3]! - w * h);
}

function intIn(rng: SceneRng, lo: number, hi: number): number {
  return lo + rng.int(hi - lo + 1);
}

function checkRange(name: string, lo: number, hi: number, min: number): void {
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < min || hi < lo) {
    throw new CocoError('E_COCO_ARGUMENT', `${name} range is ${lo}–${hi}; allowed: integers with ${min} <= min <= max`);
  }
}

/**
 * One detection scene: a canvas with 1–6 items, each resized to a log-uniform side, placed at a
 * random position (overlap limited by `maxOverlap`) and composited with max, plus optional clutter.
 * Boxes are tight to each item's non-zero pixels as pasted.
 */
export function composeScene(rng: SceneRng, source: ItemSource, options: SceneOptions = {}): Scene {
  const minCanvas = options.minCanvas ?? 128;
  const maxCanvas = options.maxCanvas ?? 320;
  const minObjects = options.minObjects ?? 1;
  const maxObjects = options.maxObjects ?? 6;
  const minSide = options.minSide ?? 16;
  const maxSide = options.maxSide ?? 160;
  const maxOverlap = options.maxOverlap ?? 0.5;
  const clutter = options.clutter ?? 0;
  checkRange('canvas', minCanvas, maxCanvas, 8);
  checkRange('objects', minObjects, maxObjects, 1);
  checkRange('side', minSide, maxSide, 2);
  if (minSide > minCanvas) throw new CocoError('E_COCO_ARGUMENT', `minSide ${minSide} is larger than minCanvas ${minCanvas}`);
  if (!Number.isInteger(clutter) || clutter < 0) throw new CocoError('E_COCO_ARGUMENT', `clutter is ${clutter}; allowed: an integer >= 0`);
  const width = intIn(rng, minCanvas, maxCanvas);
  const height = intIn(rng, minCanvas, maxCanvas);
  const pixels = new Uint8Array(width * height);
  const itemSize = source.height * source.width;
  const paste = (patch: Uint8Array, pw: number, ph: number, x: number, y: number, gain: number) => {
    for (let r = 0; r < ph; r++) {
      for (let c = 0; c < pw; c++) {
        const v = Math.round((patch[r * pw + c] as number) * gain);
        const at = (y + r) * width + x + c;
        if (v > (pixels[at] as number)) pixels[at] = v;
      }
    }
  };
  for (let i = 0; i < clutter; i++) {
    const item = rng.int(source.size);
    const side = intIn(rng, 4, 10);
    const scale = intIn(rng, 1, 3);
    const cx = rng.int(source.width - side + 1);
    const cy = rng.int(source.height - side + 1);
    const crop = new Uint8Array(side * side);
    for (let r = 0; r < side; r++)
      for (let c = 0; c < side; c++) crop[r * side + c] = source.pixels[item * itemSize + (cy + r) * source.width + cx + c] as number;
    const big = resizeGrey(crop, side, side, side * scale, side * scale);
    const s = side * scale;
    if (s <= width && s <= height) paste(big, s, s, rng.int(width - s + 1), rng.int(height - s + 1), 0.5);
  }
  const objects: SceneObject[] = [];
  const count = intIn(rng, minObjects, maxObjects);
  const sideCap = Math.min(maxSide, width, height);
  for (let n = 0; n < count; n++) {
    const item = rng.int(source.size);
    const side = Math.min(
      sideCap,
      Math.round(Math.exp(Math.log(minSide) + (Math.log(Math.max(minSide, sideCap)) - Math.log(minSide)) * rng.next())),
    );
    const patch = resizeGrey(source.pixels.subarray(item * itemSize, (item + 1) * itemSize), source.height, source.width, side, side);
    const local = nonZeroBox(patch, side, side);
    if (local === undefined) continue; // a blank item: nothing to detect
    for (let attempt = 0; attempt < 20; attempt++) {
      const x = rng.int(width - side + 1);
      const y = rng.int(height - side + 1);
      const bbox: [number, number, number, number] = [x + local[0], y + local[1], local[2], local[3]];
      if (objects.some((o) => iou(o.bbox, bbox) > maxOverlap)) continue;
      paste(patch, side, side, x, y, 1);
      objects.push({ label: source.labels[item] as number, item, bbox, x, y, side, patch });
      break;
    }
  }
  return { width, height, pixels, objects };
}
