import { runReadmeExample } from '@adaptnet/testing';
import { expect, it } from 'vitest';

it('the README example runs against the built package', async () => {
  const r = await runReadmeExample<{
    fullMacs: number;
    fullParams: number;
    smallMacs: number;
    logits: number[];
    stageShapes: number[][];
    strides: number[];
  }>(import.meta.url, [
    'fullMacs: full.macs',
    'fullParams: full.params',
    'smallMacs: small.macs',
    'logits: logits.shape',
    'stageShapes',
    'strides: net.stageStrides',
  ]);
  expect(r.fullMacs).toBe(14_346_368);
  expect(r.fullParams).toBe(273_674);
  expect(r.smallMacs).toBe(344_576);
  expect(r.logits).toEqual([2, 10]);
  expect(r.stageShapes).toEqual([
    [2, 20, 20, 32],
    [2, 10, 10, 64],
    [2, 5, 5, 128],
    [2, 3, 3, 256],
  ]);
  expect(r.strides).toEqual([1, 2, 4, 8]);
});
