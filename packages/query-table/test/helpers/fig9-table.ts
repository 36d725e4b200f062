import { configKey } from '@adaptnet/core';
import type { TableRow } from '../../src/index.js';

/**
 * A MutualNet-Fig.-9-like table: MobileNetV1 MACs (569M · w² · (r/224)²) and an accuracy that
 * prefers balanced width and resolution, so the frontier runs through every resolution.
 */
export function fig9Rows(resolutions: readonly number[] = [224, 192, 160, 128]): TableRow[] {
  const widths = Array.from({ length: 16 }, (_, i) => (25 + 5 * i) / 100);
  return resolutions.flatMap((resolution) =>
    widths.map((width) => {
      const config = { width, resolution };
      const macs = Math.round(569e6 * width ** 2 * (resolution / 224) ** 2);
      const balance = (Math.log(width) - 1.3 * Math.log(resolution / 224)) ** 2;
      const top1 = Math.round(1e4 * (0.45 + 0.045 * Math.log(macs / 1e7) - 0.08 * balance)) / 1e4;
      return {
        config,
        key: configKey(config),
        macs,
        params: Math.round(4.2e6 * width ** 2),
        views: 1,
        value: top1,
        secondary: Math.min(1, top1 + 0.2),
        top1,
        top5: Math.min(1, top1 + 0.2),
        samples: 10_000,
        latencyMs: macs / 5e7,
      };
    }),
  );
}
