import { runReadmeExample } from '@adaptnet/testing';
import { expect, it } from 'vitest';

it('the README video example runs against the built package', async () => {
  const r = await runReadmeExample<{ convLinear: number; logits: number[]; predicted: number[] }>(
    import.meta.url,
    ['convLinear', 'logits: logits.shape', 'predicted'],
    { after: '## Video backbones' },
  );
  expect(r.convLinear).toBe(6_180_613_376);
  expect(r.logits).toEqual([1, 10]);
  expect(r.predicted).toEqual([1, 10]);
});
