import { runReadmeExample } from '@adaptnet/testing';
import { expect, it } from 'vitest';

it('the README example runs against the built package', async () => {
  const result = await runReadmeExample<{ weights: number[]; loss: number }>(import.meta.url, ['weights', 'loss']);
  expect(result.weights).toHaveLength(3);
  expect(result.weights.every((v) => v >= 0)).toBe(true);
  expect(result.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  expect(result.weights.some((v) => Math.abs(v - 1 / 3) > 1e-4)).toBe(true); // α moved
  expect(Number.isFinite(result.loss) && result.loss > 0).toBe(true);
});
