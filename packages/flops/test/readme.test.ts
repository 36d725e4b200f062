import { runReadmeExample } from '@adaptnet/testing';
import { expect, it } from 'vitest';

it('the README example runs against the built package', async () => {
  const r = await runReadmeExample<{ macs: number; convDense: number; smallMacs: number; report: string }>(import.meta.url, [
    'macs: full.macs',
    'convDense',
    'smallMacs: small.macs',
    'report',
  ]);
  expect(r.macs).toBe(300_836_992);
  expect(r.convDense).toBe(3_470_760);
  expect(r.smallMacs).toBeLessThan(r.macs / 10);
  expect(r.report).toMatch(/^width 0\.35, resolution 128; input \[1, 128, 128, 3\]/);
  expect(r.report).toMatch(/total: [\d,]+ \([\d.]+M\) MACs/);
});
