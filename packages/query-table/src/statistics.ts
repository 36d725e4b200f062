import type { BnStatistics } from '@adaptnet/norm';

// Nine significant digits identify every float32 exactly, so the statistics a table ships restore
// bit-identical running statistics while the JSON stays about half the size of 17-digit doubles.
const float32Text = (x: number): number => Number(Math.fround(x).toPrecision(9));

/** The same statistics with every value written at float32 precision. */
export function compactStatistics(stats: BnStatistics): BnStatistics {
  const layers = Object.fromEntries(
    Object.entries(stats.layers).map(([path, l]) => [
      path,
      { key: l.key, mean: l.mean.map(float32Text), variance: l.variance.map(float32Text) },
    ]),
  );
  return { ...stats, layers };
}
