import { runReadmeExample } from '@adaptnet/testing';
import { expect, it } from 'vitest';

it('the README example runs against the built package', async () => {
  const result = await runReadmeExample<{ shapes: number[][]; batches: number; evaluated: number; calibration: number }>(import.meta.url, [
    'shapes',
    'batches: stream.batchesPerEpoch',
    'evaluated',
    'calibration: calibration.size',
  ]);
  expect(result.shapes).toEqual([
    [128, 28, 28, 1],
    [128, 24, 24, 1],
    [128, 20, 20, 1],
    [128, 16, 16, 1],
  ]);
  expect(result.batches).toBe(468); // ⌊60000 / 128⌋, last partial batch dropped
  expect(result.evaluated).toBe(10000);
  expect(result.calibration).toBe(2000);
});
