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

it('the README video example runs against the built package', async () => {
  const result = await runReadmeExample<{ shapes: number[][]; batches: number; evaluated: number }>(
    import.meta.url,
    ['shapes', 'batches: stream.batchesPerEpoch', 'evaluated'],
    { block: 1 },
  );
  expect(result.shapes).toEqual([
    [8, 16, 64, 64, 1],
    [8, 12, 48, 48, 1],
    [8, 6, 32, 32, 1],
  ]);
  expect(result.batches).toBe(8); // 64 clips / 8
  expect(result.evaluated).toBe(16);
});
