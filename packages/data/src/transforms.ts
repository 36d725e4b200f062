import { ConfigError, type Rng } from '@adaptnet/core';

/** Training augmentation, drawn once per image and shared by every resolution. */
export type TrainAugment =
  /** The CIFAR / Fashion-MNIST recipe: zero-pad `padding` pixels, random crop back to the source size, optional flip. */
  | { readonly kind: 'pad-crop'; readonly padding: number; readonly flip: boolean }
  /** Inception-style crop: area fraction in `scale` (default [0.08, 1]), aspect log-uniform in `ratio` (default [3/4, 4/3]). */
  | {
      readonly kind: 'random-resized-crop';
      readonly scale?: readonly [number, number];
      readonly ratio?: readonly [number, number];
      readonly flip: boolean;
    };

/**
 * Evaluation crop: the centred square whose side is `cropFraction` of the image's shorter side,
 * resized to r. 0.875 = "resize to r/0.875, centre-crop r"; 1 = plain resize of the whole image.
 */
export type EvalTransform = { readonly kind: 'center-crop'; readonly cropFraction: number };

export const DEFAULT_RRC_SCALE: readonly [number, number] = Object.freeze([0.08, 1]) as readonly [number, number];
export const DEFAULT_RRC_RATIO: readonly [number, number] = Object.freeze([3 / 4, 4 / 3]) as readonly [number, number];

/**
 * A crop in source pixel coordinates: the rows `top`..`bottom` and columns `left`..`right` hold the
 * first and last samples (align-corners: r samples evenly from first to last). Coordinates may lie
 * outside the image (zero padding). `flip` mirrors the crop horizontally.
 */
export interface CropBox {
  readonly top: number;
  readonly left: number;
  readonly bottom: number;
  readonly right: number;
  readonly flip: boolean;
}

/** An integer pixel rectangle (torchvision's `RandomResizedCrop.get_params` result). */
export interface PixelRect {
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
}

function checkRange(name: string, range: readonly [number, number] | undefined): void {
  if (range === undefined) return;
  const [lo, hi] = range;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo > 0 && lo <= hi)) {
    throw new ConfigError(`random-resized-crop ${name} must be [lo, hi] with 0 < lo <= hi, got [${lo}, ${hi}]`);
  }
}

export function validateAugment(augment: TrainAugment): void {
  if (augment.kind === 'pad-crop') {
    if (!Number.isInteger(augment.padding) || augment.padding < 0) {
      throw new ConfigError(`pad-crop padding must be a non-negative integer, got ${augment.padding}`);
    }
  } else if (augment.kind === 'random-resized-crop') {
    checkRange('scale', augment.scale);
    checkRange('ratio', augment.ratio);
  } else {
    throw new ConfigError(
      `augment.kind must be 'pad-crop' or 'random-resized-crop', got ${JSON.stringify((augment as { kind: unknown }).kind)}`,
    );
  }
  if (typeof augment.flip !== 'boolean') throw new ConfigError(`augment.flip must be true or false, got ${augment.flip}`);
}

export function validateEval(transform: EvalTransform): void {
  if (transform.kind !== 'center-crop') throw new ConfigError(`eval.kind must be 'center-crop', got ${JSON.stringify(transform.kind)}`);
  const c = transform.cropFraction;
  if (!(Number.isFinite(c) && c > 0 && c <= 1)) throw new ConfigError(`eval cropFraction must be in (0, 1], got ${c}`);
}

/**
 * torchvision's RandomResizedCrop parameters: up to 10 tries of area ∈ scale·H·W and aspect
 * w/h = exp(U(log ratio)); w, h rounded; accepted when it fits, placed uniformly. After 10
 * failures, the largest centred crop whose aspect is clamped into `ratio`.
 */
export function randomResizedCropRect(
  rng: Rng,
  height: number,
  width: number,
  scale: readonly [number, number] = DEFAULT_RRC_SCALE,
  ratio: readonly [number, number] = DEFAULT_RRC_RATIO,
): PixelRect {
  const area = height * width;
  const logLo = Math.log(ratio[0]);
  const logHi = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logLo, logHi));
    const w = Math.round(Math.sqrt(target * aspect));
    const h = Math.round(Math.sqrt(target / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      return { top: rng.int(height - h + 1), left: rng.int(width - w + 1), height: h, width: w };
    }
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < ratio[0]) h = Math.round(w / ratio[0]);
  else if (inRatio > ratio[1]) w = Math.round(h * ratio[1]);
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

/** Pad-crop shift (dy, dx) ∈ [−P, P]² uniformly, like torchvision's RandomCrop(size, padding=P). */
export function padCropBox(rng: Rng, height: number, width: number, padding: number, flip: boolean): CropBox {
  const dy = rng.int(2 * padding + 1) - padding;
  const dx = rng.int(2 * padding + 1) - padding;
  return { top: dy, left: dx, bottom: dy + height - 1, right: dx + width - 1, flip: flip && rng.next() < 0.5 };
}

/** The centred square of side cropFraction·min(H, W) pixels. */
export function centerCropBox(height: number, width: number, cropFraction: number): CropBox {
  const extent = Math.max(0, cropFraction * Math.min(height, width) - 1);
  const top = (height - 1) / 2 - extent / 2;
  const left = (width - 1) / 2 - extent / 2;
  return { top, left, bottom: top + extent, right: left + extent, flip: false };
}

/**
 * Spatial crop `index` of `count` (1 or 3) for multi-view testing, as SlowFast's 3-crop test: a
 * square of `cropFraction` × the shorter side, centred on the shorter axis and placed along the
 * longer one at the start, the centre and the end (left, centre, right for landscape frames; top,
 * centre, bottom for portrait ones). One crop is the centre crop. Square frames give 3 equal crops.
 */
export function spatialCropBox(height: number, width: number, cropFraction: number, index: number, count: number): CropBox {
  const centre = centerCropBox(height, width, cropFraction);
  if (count === 1) return centre;
  const extent = centre.bottom - centre.top;
  const along = (length: number) => [0, (length - 1) / 2 - extent / 2, length - 1 - extent][index] as number;
  if (height > width) {
    const top = along(height);
    return { ...centre, top, bottom: top + extent };
  }
  const left = along(width);
  return { ...centre, left, right: left + extent };
}

/** Draws one image's crop (training) or returns its evaluation crop. */
export function cropFor(
  rng: Rng | undefined,
  augment: TrainAugment | undefined,
  evalTransform: EvalTransform,
  height: number,
  width: number,
): CropBox {
  if (augment === undefined || rng === undefined) return centerCropBox(height, width, evalTransform.cropFraction);
  if (augment.kind === 'pad-crop') return padCropBox(rng, height, width, augment.padding, augment.flip);
  const rect = randomResizedCropRect(rng, height, width, augment.scale, augment.ratio);
  return {
    top: rect.top,
    left: rect.left,
    bottom: rect.top + rect.height - 1,
    right: rect.left + rect.width - 1,
    flip: augment.flip && rng.next() < 0.5,
  };
}

/** Default evaluation: the whole image for small sources (≤ 64 px, the MNIST/CIFAR recipes), 0.875 centre crop otherwise. */
export function defaultEvalTransform(source: { readonly height?: number | undefined; readonly width?: number | undefined }): EvalTransform {
  const side = Math.max(source.height ?? Number.POSITIVE_INFINITY, source.width ?? Number.POSITIVE_INFINITY);
  return { kind: 'center-crop', cropFraction: side <= 64 ? 1 : 0.875 };
}

/** Height and width after scaling the shorter side to `side`. */
export function resizedSize(height: number, width: number, side: number): { height: number; width: number } {
  const scale = side / Math.min(height, width);
  return { height: Math.max(1, Math.round(height * scale)), width: Math.max(1, Math.round(width * scale)) };
}
