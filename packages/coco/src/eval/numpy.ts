/**
 * Sum of `values[lo, lo + n)` in numpy's pairwise order (`np.add.reduce` on a contiguous float64
 * array: 8 accumulators up to 128 elements, halves above), so means equal `np.mean` bit for bit.
 */
export function pairwiseSum(values: ArrayLike<number>, lo = 0, n = values.length - lo): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += values[lo + i] as number;
    return res;
  }
  if (n <= 128) {
    const r = new Float64Array(8);
    for (let j = 0; j < 8; j++) r[j] = values[lo + j] as number;
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) (r[j] as number) += values[lo + i + j] as number;
    let res = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) res += values[lo + i] as number;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(values, lo, n2) + pairwiseSum(values, lo + n2, n - n2);
}

/** `np.mean(values)` as numpy computes it (0 + pairwise sum, then divide). */
export function numpyMean(values: ArrayLike<number>): number {
  return (0 + pairwiseSum(values)) / values.length;
}

/**
 * Python's `'{:0.Nf}'.format(x)`: correctly rounded, exact ties to even (`toFixed` rounds them up:
 * 0.0625 → '0.063' where Python prints '0.062').
 */
export function formatFixed(x: number, digits: number): string {
  const exact = Math.abs(x).toFixed(Math.min(100, digits + 60));
  const cut = exact.indexOf('.') + 1 + digits;
  const tail = exact.slice(cut);
  if (/^50*$/.test(tail)) {
    // An exact tie: Python keeps an even last digit; toFixed would round it up.
    const kept = exact.slice(0, cut);
    if (Number(kept[kept.length - 1]) % 2 === 0) return (x < 0 ? '-' : '') + kept;
  }
  return x.toFixed(digits);
}
