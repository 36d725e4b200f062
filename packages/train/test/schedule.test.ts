import { describe, expect, it } from 'vitest';
import { learningRate } from '../src/index.js';

describe('learningRate', () => {
  it('cosine from the base rate to 0 over the run, per iteration', () => {
    const o = { kind: 'cosine' as const, baseLr: 0.1, totalSteps: 8 };
    expect(learningRate(0, o)).toBeCloseTo(0.1, 12);
    expect(learningRate(4, o)).toBeCloseTo(0.05, 12); // cos(π/2) = 0
    expect(learningRate(2, o)).toBeCloseTo(0.05 * (1 + Math.SQRT1_2), 12); // cos(π/4)
    expect(learningRate(8, o)).toBeCloseTo(0, 12);
    for (let s = 1; s <= 8; s++) expect(learningRate(s, o)).toBeLessThan(learningRate(s - 1, o));
  });

  it('linear warm-up, then cosine over the remaining steps down to finalLr', () => {
    const o = { kind: 'cosine' as const, baseLr: 0.2, totalSteps: 14, warmupSteps: 4, finalLr: 0.02 };
    expect([0, 1, 2, 3].map((s) => learningRate(s, o))).toEqual([0.05, 0.1, 0.15000000000000002, 0.2]);
    expect(learningRate(4, o)).toBeCloseTo(0.2, 12);
    expect(learningRate(9, o)).toBeCloseTo(0.02 + 0.5 * 0.18, 12);
    expect(learningRate(14, o)).toBeCloseTo(0.02, 12);
  });

  it('constant stays at the base rate; bad totals are named errors', () => {
    expect(learningRate(99, { kind: 'constant', baseLr: 0.3, totalSteps: 100 })).toBe(0.3);
    expect(() => learningRate(0, { kind: 'cosine', baseLr: 0.1, totalSteps: 0 })).toThrow(/totalSteps must be a positive integer, got 0/);
    expect(() => learningRate(0, { kind: 'cosine', baseLr: 0.1, totalSteps: 5, warmupSteps: 5 })).toThrow(/warmupSteps 5 must be smaller/);
  });
});
