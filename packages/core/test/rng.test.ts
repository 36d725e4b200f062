import { describe, expect, it } from 'vitest';
import { ConfigError, Rng } from '../src/index.js';

describe('Rng', () => {
  it('is reproducible for a seed and differs across seeds', () => {
    const a = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.nextUint32()
      )(new Rng(42)),
    );
    const b = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.nextUint32()
      )(new Rng(42)),
    );
    const c = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.nextUint32()
      )(new Rng(43)),
    );
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('restores its exact state', () => {
    const r = new Rng(7);
    for (let i = 0; i < 10; i++) r.next();
    const saved = r.state();
    const after = [r.next(), r.next(), r.int(10)];
    const s = new Rng(0);
    s.setState(saved);
    expect([s.next(), s.next(), s.int(10)]).toEqual(after);
    const t = new Rng(saved);
    t.next();
    expect(t.next()).toBe(after[1]);
  });

  it('int(n) is uniform: chi-square over 10 bins stays below the 0.999 quantile', () => {
    const r = new Rng(1);
    const counts = new Array<number>(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) counts[r.int(10)]!++;
    const chi2 = counts.reduce((s, c) => s + (c - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(27.88); // χ²(9 dof) 0.999 quantile
  });

  it('uniform and normal have the right moments', () => {
    const r = new Rng(3);
    const n = 50_000;
    let su = 0;
    let sn = 0;
    let sn2 = 0;
    for (let i = 0; i < n; i++) {
      su += r.uniform(2, 4);
      const z = r.normal();
      sn += z;
      sn2 += z * z;
    }
    expect(su / n).toBeCloseTo(3, 1);
    expect(sn / n).toBeCloseTo(0, 1);
    expect(sn2 / n).toBeCloseTo(1, 1);
  });

  it('shuffle is a permutation', () => {
    const xs = Array.from({ length: 50 }, (_, i) => i);
    const s = new Rng(5).shuffle([...xs]);
    expect(s).not.toEqual(xs);
    expect([...s].sort((a, b) => a - b)).toEqual(xs);
  });

  it('rejects bad arguments with named errors', () => {
    expect(() => new Rng(Number.NaN)).toThrow(/finite number, got NaN/);
    expect(() => new Rng(0).int(0)).toThrow(ConfigError);
    expect(() => new Rng(0).uniform(2, 1)).toThrow(/lo <= hi, got lo=2, hi=1/);
    expect(() => new Rng(0).choice([])).toThrow(/non-empty/);
  });
});

it('state() is four unsigned 32-bit words', () => {
  const r = new Rng(11);
  for (let i = 0; i < 1000; i++) {
    r.nextUint32();
    for (const w of r.state()) expect(w >>> 0).toBe(w);
  }
});
