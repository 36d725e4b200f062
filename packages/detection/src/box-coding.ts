import { ConfigError } from '@adaptnet/core';

/** A box as corners `[x1, y1, x2, y2]` in input pixels. */
export type Box = readonly [number, number, number, number];

/**
 * The centres of a level's feature cells in input pixels, row-major: cell (i, j) of a stride-s map
 * sits at `(j·s + ⌊s/2⌋, i·s + ⌊s/2⌋)` (FCOS). Returns `[x0, y0, x1, y1, ...]`.
 */
export function levelPoints(height: number, width: number, stride: number): Float32Array {
  const out = new Float32Array(height * width * 2);
  const half = Math.floor(stride / 2);
  for (let i = 0; i < height; i++) {
    for (let j = 0; j < width; j++) {
      const p = (i * width + j) * 2;
      out[p] = j * stride + half;
      out[p + 1] = i * stride + half;
    }
  }
  return out;
}

/** FCOS regression target of a point: its distances to the box's four sides divided by the level's stride. */
export function encodeLtrb(x: number, y: number, box: Box, stride: number): [number, number, number, number] {
  if (!(stride > 0)) throw new ConfigError(`stride must be > 0, got ${stride}`);
  return [(x - box[0]) / stride, (y - box[1]) / stride, (box[2] - x) / stride, (box[3] - y) / stride];
}

/** The inverse of `encodeLtrb`: the box a point's (stride-normalised) distances describe. */
export function decodeLtrb(x: number, y: number, ltrb: readonly number[], stride: number): [number, number, number, number] {
  const [l, t, r, b] = ltrb as [number, number, number, number];
  return [x - l * stride, y - t * stride, x + r * stride, y + b * stride];
}

/** FCOS centre-ness of a point with distances `ltrb` (all > 0): √(min(l,r)/max(l,r) · min(t,b)/max(t,b)). */
export function centerness(ltrb: readonly number[]): number {
  const [l, t, r, b] = ltrb as [number, number, number, number];
  return Math.sqrt((Math.min(l, r) / Math.max(l, r)) * (Math.min(t, b) / Math.max(t, b)));
}

/** Intersection over union of two corner boxes (0 when both are empty). */
export function iou(a: Box, b: Box): number {
  const iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = iw * ih;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}
