import { configKey } from '@adaptnet/core';
import type { TableRow } from '../../src/index.js';

/** [width, resolution, frames, MACs, top-1]. */
type Spec = readonly [number, number, number, number, number];

/**
 * A hand-built 3D table whose MACs frontier is A → B (width) → C (spatial) → D (temporal) → E
 * (spatial and temporal: several); F and G are dominated.
 */
export const STEP_TABLE: readonly Spec[] = [
  [0.5, 6, 2, 100, 0.3], // A
  [1, 6, 2, 200, 0.4], // B: width
  [1, 8, 2, 300, 0.5], // C: spatial
  [1, 8, 4, 500, 0.6], // D: temporal
  [1, 10, 8, 700, 0.65], // E: spatial + temporal
  [0.5, 8, 4, 450, 0.45], // F: below C
  [0.5, 10, 8, 350, 0.2], // G: below A
];

export function videoRows(specs: readonly Spec[] = STEP_TABLE, views = 1): TableRow[] {
  return specs.map(([width, resolution, frames, macs, top1]) => {
    const config = { width, resolution, frames };
    return {
      config,
      key: configKey(config),
      macs,
      views,
      params: Math.round(1000 * width ** 2),
      value: top1,
      secondary: 1,
      top1,
      top5: 1,
      samples: 100,
    };
  });
}
