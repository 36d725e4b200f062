import { runReadmeExample } from '@adaptnet/testing';
import { expect, it } from 'vitest';

it('the README example runs against the built package', async () => {
  const result = await runReadmeExample<{ steps: number; losses: Record<string, number> }>(import.meta.url, ['steps', 'losses']);
  expect(result.steps).toBe(4);
  expect(Object.keys(result.losses).sort()).toEqual(['max', 'min', 'rand1', 'rand2']);
  expect(Object.values(result.losses).every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
}, 120_000);

it('the README video example runs against the built package', async () => {
  const result = await runReadmeExample<{ branches: string; losses: Record<string, number> }>(import.meta.url, ['branches', 'losses'], {
    after: '## Video',
  });
  expect(result.branches).toBe('one-branch');
  expect(Object.keys(result.losses).sort()).toEqual(['max', 'rand1', 'rand2']);
  expect(Object.values(result.losses).every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
}, 120_000);
