import { ConfigError, type SubnetConfig } from '@adaptnet/core';
import { describe, expect, it } from 'vitest';
import { SANDWICH_MODES, SandwichSampler, type SandwichSamplerOptions } from '../src/index.js';
import { chi2Bound, chi2Uniform, countOver, histogram } from './helpers/stats.js';

const RESOLUTIONS = [224, 192, 160, 128];
const BASE: SandwichSamplerOptions = { widthRange: { min: 0.25, max: 1 }, resolutions: RESOLUTIONS, seed: 1 };
const ITERS = 4000;

function run(options: SandwichSamplerOptions, iterations = ITERS): SubnetConfig[][] {
  const s = new SandwichSampler(options);
  return Array.from({ length: iterations }, () => s.next());
}

describe('SandwichSampler', () => {
  it.each(SANDWICH_MODES)('%s: every iteration is [max width, min width, numRandom widths in [min, max)]', (mode) => {
    for (const numRandom of [0, 2, 5]) {
      for (const it of run({ ...BASE, mode, numRandom }, 300)) {
        expect(it).toHaveLength(2 + numRandom);
        expect(it[0]!.width).toBe(1);
        expect(it[1]!.width).toBe(0.25);
        for (const c of it.slice(2)) {
          expect(c.width).toBeGreaterThanOrEqual(0.25);
          expect(c.width).toBeLessThan(1);
        }
        for (const c of it) expect(RESOLUTIONS).toContain(c.resolution);
      }
    }
  });

  it('random widths are uniform on [min, max): χ² over 10 bins below the 0.999 quantile', () => {
    const widths = run(BASE).flatMap((it) => it.slice(2).map((c) => c.width));
    expect(widths).toHaveLength(2 * ITERS);
    expect(chi2Uniform(histogram(widths, 0.25, 1, 10))).toBeLessThan(chi2Bound(9));
  });

  it('with widthStep, random widths are uniform over the grid, min and max included', () => {
    const grid = [0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1];
    const coarse = [0.25, 0.5, 0.75, 1];
    const widths = run({ ...BASE, widthStep: 0.25 }).flatMap((it) => it.slice(2).map((c) => c.width));
    expect(chi2Uniform(countOver(widths, coarse))).toBeLessThan(chi2Bound(3));
    const fine = new SandwichSampler({ ...BASE, widthStep: 0.05 });
    for (let i = 0; i < 200; i++) for (const c of fine.next()) expect(grid).toContain(c.width);
  });

  it('mutualnet (default): the full net always at the max resolution, the others uniform over the list', () => {
    const iters = run(BASE);
    expect(iters.every((it) => it[0]!.resolution === 224)).toBe(true);
    const others = iters.flatMap((it) => it.slice(1).map((c) => c.resolution));
    expect(chi2Uniform(countOver(others, RESOLUTIONS))).toBeLessThan(chi2Bound(3));
    // Subnets draw independently: an iteration with distinct resolutions among the subnets occurs.
    expect(iters.some((it) => new Set(it.slice(1).map((c) => c.resolution)).size > 1)).toBe(true);
  });

  it('usnet: one resolution, the max, for every subnet', () => {
    for (const it of run({ ...BASE, mode: 'usnet' }, 500)) expect(it.map((c) => c.resolution)).toEqual([224, 224, 224, 224]);
  });

  it('usnet-multiscale: all subnets, the full net included, share one resolution drawn uniformly per iteration', () => {
    const iters = run({ ...BASE, mode: 'usnet-multiscale' });
    for (const it of iters) expect(new Set(it.map((c) => c.resolution)).size).toBe(1);
    expect(
      chi2Uniform(
        countOver(
          iters.map((it) => it[0]!.resolution),
          RESOLUTIONS,
        ),
      ),
    ).toBeLessThan(chi2Bound(3));
  });

  it("random-full-resolution: the full net's resolution is uniform over the list too, independent of the others", () => {
    const iters = run({ ...BASE, mode: 'random-full-resolution' });
    expect(iters.every((it) => it[0]!.width === 1)).toBe(true);
    expect(
      chi2Uniform(
        countOver(
          iters.map((it) => it[0]!.resolution),
          RESOLUTIONS,
        ),
      ),
    ).toBeLessThan(chi2Bound(3));
    expect(
      chi2Uniform(
        countOver(
          iters.flatMap((it) => it.slice(1).map((c) => c.resolution)),
          RESOLUTIONS,
        ),
      ),
    ).toBeLessThan(chi2Bound(3));
    expect(iters.some((it) => it[0]!.resolution !== it[1]!.resolution)).toBe(true);
  });

  it('is reproducible for a seed, differs across seeds, and resumes exactly from a saved state', () => {
    expect(run(BASE, 50)).toEqual(run(BASE, 50));
    expect(run({ ...BASE, seed: 2 }, 50)).not.toEqual(run(BASE, 50));
    const s = new SandwichSampler(BASE);
    for (let i = 0; i < 17; i++) s.next();
    const saved = JSON.parse(JSON.stringify(s.state()));
    const continued = Array.from({ length: 20 }, () => s.next());
    const resumed = new SandwichSampler({ ...BASE, seed: 999 });
    resumed.setState(saved);
    expect(Array.from({ length: 20 }, () => resumed.next())).toEqual(continued);
    // Straight through equals stop-and-resume.
    expect(run(BASE, 37).slice(17)).toEqual(continued);
  });

  it('rejects invalid options with named errors', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ widthRange: { min: 1, max: 0.25 } }, /widthRange min 1 > max 0.25/],
      [{ widthRange: { min: 0, max: 1 } }, /widthRange min must be > 0, got 0/],
      [{ widthRange: { min: -0.5, max: 1 } }, /widthRange min must be > 0, got -0.5/],
      [{ widthRange: { min: 0.25, max: Number.NaN } }, /widthRange must be finite numbers, got \[0.25, NaN\]/],
      [{ resolutions: [] }, /resolutions list is empty/],
      [{ resolutions: [224, 160.5] }, /resolutions must be positive integers, got 160.5/],
      [{ resolutions: [224, 0] }, /resolutions must be positive integers, got 0/],
      [{ resolutions: [224, 224] }, /resolutions lists 224 twice/],
      [{ numRandom: -1 }, /numRandom must be an integer >= 0, got -1/],
      [{ numRandom: 1.5 }, /numRandom must be an integer >= 0, got 1.5/],
      [{ widthStep: 0 }, /widthStep must be a finite number > 0, got 0/],
      [{ widthStep: 0.3 }, /widthStep 0.3 does not divide widthRange \[0.25, 1\] into whole steps/],
      [{ mode: 'slimmable' }, /mode 'slimmable' is not one of 'mutualnet', 'usnet'/],
      [{ seed: Number.NaN }, /seed must be a finite number, got NaN/],
    ];
    for (const [patch, message] of bad) {
      const make = () => new SandwichSampler({ ...BASE, ...patch } as unknown as SandwichSamplerOptions);
      expect(make).toThrow(ConfigError);
      expect(make).toThrow(message);
    }
    const s = new SandwichSampler(BASE);
    expect(() => s.setState([1, 2, 3] as unknown as [number, number, number, number])).toThrow(
      /4 32-bit integer words \(an Rng state\), got \[1,2,3\]/,
    );
  });
});
