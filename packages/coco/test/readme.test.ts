import { runReadmeExample } from '@adaptnet/testing';
import { expect, it } from 'vitest';

it('the README example runs against the built package', async () => {
  const result = await runReadmeExample<{ stats: number[]; results: { bbox: number[] }[] }>(import.meta.url, ['stats', 'results']);
  expect(result.results[0]?.bbox).toEqual([0, 0, 100, 62.6]);
  expect(result.stats).toEqual([0.3, 1, 0, -1, -1, 0.3, 0.3, 0.3, 0.3, -1, -1, 0.3]);
});
