import { runReadmeExample } from '@adaptnet/testing';
import { expect, it } from 'vitest';

it('the README example runs against the built package', async () => {
  const r = await runReadmeExample<{ detections: { box: number[]; score: number }[][]; results: unknown[]; stats: number[]; macs: number }>(
    import.meta.url,
    ['detections', 'results', 'stats', 'macs'],
  );
  const boxes = r.detections[0] ?? [];
  expect(boxes.length).toBeLessThanOrEqual(100);
  for (const d of boxes) {
    expect(d.box[0]).toBeGreaterThanOrEqual(0);
    expect(d.box[2]).toBeLessThanOrEqual(64);
    expect(d.box[3]).toBeLessThanOrEqual(48);
  }
  expect(r.results).toHaveLength(boxes.length);
  expect(r.stats).toHaveLength(12);
  expect(r.macs).toBeGreaterThan(0);
}, 120_000);
