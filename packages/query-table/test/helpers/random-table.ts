import { configKey, Rng } from '@adaptnet/core';
import type { TableRow } from '../../src/index.js';

/**
 * A random table with many ties: costs and accuracies drawn from small sets, so equal costs,
 * equal accuracies and both at once all occur.
 */
export function randomRows(seed: number, n: number, withLatency = true): TableRow[] {
  const rng = new Rng(seed);
  const widths = Array.from({ length: 16 }, (_, i) => (25 + 5 * i) / 100);
  const resolutions = [128, 160, 192, 224, 256, 288];
  const configs = rng.shuffle(resolutions.flatMap((resolution) => widths.map((width) => ({ width, resolution })))).slice(0, n);
  const costLevels = 1 + rng.int(40);
  const accLevels = 1 + rng.int(30);
  return configs.map((config) => {
    const top1 = rng.int(accLevels) / accLevels;
    const top5 = Math.min(1, top1 + rng.int(3) / 10);
    return {
      config,
      key: configKey(config),
      macs: 1000 * (1 + rng.int(costLevels)),
      params: 100 + rng.int(1000),
      views: 1,
      value: top1,
      secondary: top5,
      top1,
      top5,
      samples: 100,
      ...(withLatency ? { latencyMs: 0.5 + rng.int(costLevels) / 4 } : {}),
    };
  });
}
