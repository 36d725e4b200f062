/** Upper 0.999 quantiles of χ² by degrees of freedom (the stated tolerance of every uniformity test). */
const CHI2_999: Record<number, number> = {
  1: 10.828,
  2: 13.816,
  3: 16.266,
  4: 18.467,
  5: 20.515,
  6: 22.458,
  7: 24.322,
  8: 26.124,
  9: 27.877,
  10: 29.588,
};

export function chi2Bound(dof: number): number {
  const q = CHI2_999[dof];
  if (q === undefined) throw new Error(`no χ² quantile tabulated for ${dof} degrees of freedom`);
  return q;
}

/** Pearson's χ² statistic of observed counts against equal expected counts. */
export function chi2Uniform(counts: readonly number[]): number {
  const n = counts.reduce((a, b) => a + b, 0);
  const expected = n / counts.length;
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}

/** Counts of each value in `values` over `support`; throws on a value outside it. */
export function countOver(values: readonly number[], support: readonly number[]): number[] {
  const counts = support.map(() => 0);
  for (const v of values) {
    const i = support.indexOf(v);
    if (i < 0) throw new Error(`value ${v} is outside the support {${support.join(', ')}}`);
    counts[i]!++;
  }
  return counts;
}

/** Counts of values in [lo, hi) over `bins` equal bins. */
export function histogram(values: readonly number[], lo: number, hi: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) {
    if (!(v >= lo && v < hi)) throw new Error(`value ${v} is outside [${lo}, ${hi})`);
    counts[Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins))]!++;
  }
  return counts;
}
