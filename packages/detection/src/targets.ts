import { ConfigError } from '@adaptnet/core';
import { type Box, centerness, encodeLtrb, levelPoints } from './box-coding.js';

/** A ground-truth object in input pixels. `label`: contiguous class index 0..K-1. */
export interface GroundTruth {
  readonly box: Box;
  readonly label: number;
}

/** A pyramid level's feature map: its stride and size. */
export interface LevelShape {
  readonly stride: number;
  readonly height: number;
  readonly width: number;
}

export interface TargetOptions {
  /**
   * Objects regressed by each level: a point is positive on level i when the largest of its four
   * distances lies in `(ranges[i][0], ranges[i][1]]`. Default `defaultSizeRanges`.
   */
  readonly sizeRanges?: readonly (readonly [number, number])[];
  /** Centre sampling radius in strides (FCOS improvements); 0 turns it off. Default 1.5. */
  readonly centerRadius?: number;
}

/** Targets of one image over all levels, points in level order then row-major. */
export interface ImageTargets {
  readonly numPoints: number;
  /** Class of each point, -1 for background. */
  readonly labels: Int32Array;
  /** `[numPoints, 4]` stride-normalised ltrb of each positive point (0 elsewhere). */
  readonly ltrb: Float32Array;
  /** Centre-ness target of each positive point (0 elsewhere). */
  readonly centerness: Float32Array;
  readonly numPositive: number;
}

/**
 * FCOS size ranges scaled to the levels' strides: level i takes max-distance in (4·sᵢ, 8·sᵢ], the
 * first from 0 and the last to infinity (FCOS' [0, 64, 128, 256, 512, ∞) for strides 8..128).
 */
export function defaultSizeRanges(strides: readonly number[]): [number, number][] {
  return strides.map((s, i) => [i === 0 ? 0 : 4 * s, i === strides.length - 1 ? Number.POSITIVE_INFINITY : 8 * s]);
}

/**
 * Assigns every point of every level to at most one object (FCOS): the point must lie inside the
 * box (and, with centre sampling, within `centerRadius` strides of its centre), the object's size
 * must fall in the level's range, and among several candidates the smallest box wins.
 */
export function assignTargets(objects: readonly GroundTruth[], levels: readonly LevelShape[], options: TargetOptions = {}): ImageTargets {
  const ranges = options.sizeRanges ?? defaultSizeRanges(levels.map((l) => l.stride));
  if (ranges.length !== levels.length) {
    throw new ConfigError(`sizeRanges has ${ranges.length} entries, the pyramid has ${levels.length} levels`);
  }
  const radius = options.centerRadius ?? 1.5;
  const numPoints = levels.reduce((n, l) => n + l.height * l.width, 0);
  const labels = new Int32Array(numPoints).fill(-1);
  const ltrb = new Float32Array(numPoints * 4);
  const ctr = new Float32Array(numPoints);
  let numPositive = 0;
  let offset = 0;
  levels.forEach((level, li) => {
    const points = levelPoints(level.height, level.width, level.stride);
    const [lo, hi] = ranges[li] as [number, number];
    for (let p = 0; p < level.height * level.width; p++) {
      const x = points[2 * p] as number;
      const y = points[2 * p + 1] as number;
      let best = -1;
      let bestArea = Number.POSITIVE_INFINITY;
      objects.forEach((o, k) => {
        const [x1, y1, x2, y2] = o.box;
        const l = x - x1;
        const t = y - y1;
        const r = x2 - x;
        const b = y2 - y;
        if (Math.min(l, t, r, b) <= 0) return;
        const m = Math.max(l, t, r, b);
        if (m <= lo || m > hi) return;
        if (radius > 0) {
          const cx = (x1 + x2) / 2;
          const cy = (y1 + y2) / 2;
          const rad = radius * level.stride;
          if (Math.abs(x - cx) >= rad || Math.abs(y - cy) >= rad) return;
        }
        const area = (x2 - x1) * (y2 - y1);
        if (area < bestArea) {
          bestArea = area;
          best = k;
        }
      });
      if (best < 0) continue;
      const o = objects[best] as GroundTruth;
      const d = encodeLtrb(x, y, o.box, level.stride);
      const q = offset + p;
      labels[q] = o.label;
      ltrb.set(d, 4 * q);
      ctr[q] = centerness(d);
      numPositive++;
    }
    offset += level.height * level.width;
  });
  return { numPoints, labels, ltrb, centerness: ctr, numPositive };
}
