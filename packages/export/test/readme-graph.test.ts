import { runReadmeExample } from '@adaptnet/testing';
import { expect, it } from 'vitest';
import type { SubnetMetadata } from '../src/index.js';

it('the graph-format README example runs against the built package', async () => {
  const r = await runReadmeExample<{ maxDiff: number; scale: number; meta: SubnetMetadata; ops: string[] }>(
    import.meta.url,
    ['maxDiff', 'scale: tf.max(tf.abs(adaptive)).dataSync()[0]', 'meta', 'ops'],
    { after: '## Example: the graph format' },
  );
  expect(r.maxDiff / r.scale).toBeLessThan(1e-4);
  expect(r.meta.config).toEqual({ width: 0.5, resolution: 16, scales: [1, 0.5] });
  expect(r.meta.accuracy).toEqual({ top1: 0.9 });
  expect(r.ops.filter((op) => op === 'ResizeBilinear')).toHaveLength(1);
  expect(r.ops.filter((op) => op === '_FusedConv2D' || op === 'FusedDepthwiseConv2dNative')).toHaveLength(7);
});
