import { describe, expect, it } from 'vitest';
import { formatFixed, numpyMean } from '../src/index.js';

// Expected values printed by Python 3.11 / numpy 2.4.6.
describe('numpy and Python number semantics', () => {
  it("np.mean's pairwise summation, bit for bit (a naive sum differs at n = 100 and 4041)", () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 997 + 1e-7 * i);
    const naive = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
    expect(numpyMean(values(5))).toBe(0.6399199592778334);
    expect(numpyMean(values(100))).toBe(0.4919808777833501);
    expect(naive(values(100))).toBe(0.49198087778335015);
    expect(numpyMean(values(1000))).toBe(0.5010529590270812);
    expect(numpyMean(values(4041))).toBe(0.5012299539434935);
    expect(naive(values(4041))).toBe(0.5012299539434932);
  });

  it("'{:0.3f}'.format: exact ties go to the even digit, unlike toFixed", () => {
    const cases: [number, string, string][] = [
      [0.0625, '0.062', '0.06'],
      [0.1875, '0.188', '0.19'],
      [0.3125, '0.312', '0.31'],
      [-0.0625, '-0.062', '-0.06'],
      [0.0005, '0.001', '0.00'],
      [0.0015, '0.002', '0.00'],
      [0.00025, '0.000', '0.00'],
      [1 / 3, '0.333', '0.33'],
      [0.9999999999999998, '1.000', '1.00'],
      [-1, '-1.000', '-1.00'],
    ];
    for (const [v, three, two] of cases) {
      expect(formatFixed(v, 3)).toBe(three);
      expect(formatFixed(v, 2)).toBe(two);
    }
    expect((0.0625).toFixed(3)).toBe('0.063');
  });
});
