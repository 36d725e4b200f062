import { runReadmeExample } from '@adaptnet/testing';
import { expect, it } from 'vitest';

it('the README example runs against the built package', async () => {
  const result = await runReadmeExample<{
    between: { key: string; t: number };
    reports: { samples: number; batches: number }[];
    shipped: string;
    shape: number[];
    keys: string[];
  }>(import.meta.url, ['between', 'reports', 'shipped', 'shape: out.shape', 'keys: us.keys()']);
  expect(result.between).toMatchObject({ key: 'r112', t: 0.5 });
  expect(result.reports).toMatchObject([{ samples: 10, batches: 3 }]);
  expect(JSON.parse(result.shipped).layers.bn.mean).toHaveLength(8);
  expect(result.shape).toEqual([4, 6, 6, 8]);
  expect(result.keys).toEqual(['w1.000-r6']);
});
