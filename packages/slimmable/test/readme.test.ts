import { runReadmeExample } from '@adaptnet/testing';
import { expect, it } from 'vitest';

it('the README example runs against the built package', async () => {
  const result = await runReadmeExample<{ shapes: number[][]; channels: number[]; macs: number; rounding: number[] }>(import.meta.url, [
    'shapes',
    'channels',
    'macs',
    'rounding',
  ]);
  expect(result.shapes).toEqual([
    [2, 10],
    [2, 10],
    [2, 10],
  ]);
  expect(result.channels).toEqual([8, 16, 32]);
  expect(result.macs).toBe(16 * 16 * 9 * 3 * 16);
  expect(result.rounding).toEqual([9, 1, 16]);
});
