import { runReadmeExample } from '@adaptnet/testing';
import { expect, it } from 'vitest';
import type { PreparedMemoryReport } from '../src/index.js';

it('the prepared-inference README example runs against the built package', async () => {
  const r = await runReadmeExample<{ maxDiff: number; scale: number; report: PreparedMemoryReport; hits: number; misses: number }>(
    import.meta.url,
    ['maxDiff', 'scale: tf.max(tf.abs(plain)).dataSync()[0]', 'report', 'hits', 'misses'],
    { after: '## Prepared inference' },
  );
  expect(r.maxDiff / r.scale).toBeLessThan(1e-4);
  expect([r.hits, r.misses]).toEqual([1, 1]);
  // Width 0.25 of the Fashion-MNIST MobileNetV1: stem 1→8, then (dw, pw) 8→16, 16→32, 32→32, 32→64, 64→64, 64→128, dense 128→10; one bias per channel.
  const convs = [
    [9 * 1, 8],
    [9, 8],
    [8, 16],
    [9, 16],
    [16, 32],
    [9, 32],
    [32, 32],
    [9, 32],
    [32, 64],
    [9, 64],
    [64, 64],
    [9, 64],
    [64, 128],
  ] as const;
  const params = convs.reduce((n, [k, c]) => n + k * c + c, 0) + 128 * 10 + 10;
  expect(r.report.entries.map((e) => [e.key, e.bytes])).toEqual([['w0.250-r16', 4 * params]]);
  expect(r.report.totalBytes).toBe(r.report.sharedBytes + 4 * params);
});
