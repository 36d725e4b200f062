import { runReadmeExample } from '@adaptnet/testing';
import { expect, it } from 'vitest';
import type { SubnetMetadata } from '../src/index.js';

it('the README example runs against the built package', async () => {
  const r = await runReadmeExample<{ maxDiff: number; scale: number; meta: SubnetMetadata; weightBytes: number }>(import.meta.url, [
    'maxDiff',
    'scale: tf.max(tf.abs(adaptive)).dataSync()[0]',
    'meta',
    'weightBytes',
  ]);
  expect(r.maxDiff / r.scale).toBeLessThan(1e-4);
  expect(r.meta.config).toEqual({ width: 0.5, resolution: 16 });
  expect(r.meta.accuracy).toEqual({ top1: 0.9 });
  // Width 0.5: stem 1→8 (3×3), dw 8, pw 8→16, dw 16 (s2), pw 16→32, dense 32→10, each conv with a bias.
  const params = 9 * 8 + 8 + (9 * 8 + 8) + (8 * 16 + 16) + (9 * 16 + 16) + (16 * 32 + 32) + (32 * 10 + 10);
  expect(r.meta.exportedParams).toBe(params);
  expect(r.weightBytes).toBe(4 * params);
});
