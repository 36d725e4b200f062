/**
 * `np.linspace(start, stop, num)` as numpy computes it: `i * ((stop - start) / (num - 1)) + start`,
 * the last value set to `stop`. The float values matter: pycocotools' 9th IoU threshold is
 * 0.8999999999999999, not 0.9, and its summary finds .5 and .75 by exact equality.
 */
export function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : i * step + start));
}

/** pycocotools' IoU thresholds .50:.05:.95, built as `np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1)`. */
export const COCO_IOU_THRESHOLDS: readonly number[] = Object.freeze(linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1));

/** pycocotools' 101 recall points 0:.01:1. */
export const COCO_RECALL_THRESHOLDS: readonly number[] = Object.freeze(linspace(0, 1, Math.round((1 - 0) / 0.01) + 1));

/** Detections per image kept at each summary level; the largest also caps what is matched. */
export const COCO_MAX_DETS: readonly number[] = Object.freeze([1, 10, 100]);

/** pycocotools' area ranges (inclusive at both ends: an area of exactly 32² is small and medium). */
export const COCO_AREA_RANGES: readonly (readonly [number, number])[] = Object.freeze([
  Object.freeze([0 ** 2, 1e5 ** 2] as const),
  Object.freeze([0 ** 2, 32 ** 2] as const),
  Object.freeze([32 ** 2, 96 ** 2] as const),
  Object.freeze([96 ** 2, 1e5 ** 2] as const),
]);

export const COCO_AREA_LABELS: readonly AreaLabel[] = Object.freeze(['all', 'small', 'medium', 'large'] as const);

export type AreaLabel = 'all' | 'small' | 'medium' | 'large';
