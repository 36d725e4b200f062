import { runReadmeExample } from '@adaptnet/testing';
import { expect, it } from 'vitest';

it('the README example runs against the built package', async () => {
  const result = await runReadmeExample<{
    iteration: { width: number; resolution: number }[];
    spatial: { scales: number[] }[];
    clips: { fast: unknown }[];
  }>(import.meta.url, ['iteration', 'spatial', 'clips']);
  expect(result.iteration).toHaveLength(4);
  expect(result.iteration[0]).toEqual({ width: 1, resolution: 224 });
  expect(result.iteration[1]!.width).toBe(0.25);
  for (let stage = 0; stage < 4; stage++) {
    expect(result.spatial.map((c) => c.scales[stage]).sort()).toEqual([0.5, 0.75, 1]);
  }
  for (const c of result.clips) expect(c.fast).toEqual({ width: 1, resolution: 224, frames: 32 });
});
