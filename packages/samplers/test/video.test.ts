import { ConfigError } from '@adaptnet/core';
import { describe, expect, it } from 'vitest';
import { VideoSampler, type VideoSamplerOptions, type VideoSubnetConfig } from '../src/index.js';
import { chi2Bound, chi2Uniform, countOver, histogram } from './helpers/stats.js';

// MutualNet TPAMI §7 (Slow 8×8): width U[0.63, 1], spatial {142, 178, 224}, temporal {3, 5, 8}.
const BASE: VideoSamplerOptions = { widthRange: { min: 0.63, max: 1 }, resolutions: [142, 178, 224], frames: [3, 5, 8], seed: 5 };
const ITERS = 4000;

function run(options: VideoSamplerOptions, iterations = ITERS): VideoSubnetConfig[][] {
  const s = new VideoSampler(options);
  return Array.from({ length: iterations }, () => s.next());
}

describe('VideoSampler', () => {
  it('the full net comes first at max width, spatial size and clip length; includeMin adds the min width', () => {
    for (const it of run({ ...BASE, includeMin: true }, 500)) {
      expect(it).toHaveLength(4);
      expect(it[0]).toEqual({ width: 1, resolution: 224, frames: 8 });
      expect(it[1]!.width).toBe(0.63);
      for (const c of it.slice(2)) {
        expect(c.width).toBeGreaterThanOrEqual(0.63);
        expect(c.width).toBeLessThan(1);
      }
      for (const c of it) expect(c.fast).toBeUndefined();
    }
  });

  it('width, spatial size and clip length are each uniform (χ² below the 0.999 quantile)', () => {
    const iters = run({ ...BASE, includeMin: true });
    const subnets = iters.flatMap((it) => it.slice(1));
    const widths = iters.flatMap((it) => it.slice(2).map((c) => c.width));
    expect(widths).toHaveLength(2 * ITERS);
    expect(chi2Uniform(histogram(widths, 0.63, 1, 10))).toBeLessThan(chi2Bound(9));
    expect(
      chi2Uniform(
        countOver(
          subnets.map((c) => c.resolution),
          [142, 178, 224],
        ),
      ),
    ).toBeLessThan(chi2Bound(2));
    expect(
      chi2Uniform(
        countOver(
          subnets.map((c) => c.frames),
          [3, 5, 8],
        ),
      ),
    ).toBeLessThan(chi2Bound(2));
    // The 9 spatial × temporal cells are uniform too, so the two axes are drawn independently.
    const cells = subnets.map((c) => c.resolution * 100 + c.frames);
    const support = [142, 178, 224].flatMap((r) => [3, 5, 8].map((f) => r * 100 + f));
    expect(chi2Uniform(countOver(cells, support))).toBeLessThan(chi2Bound(8));
  });

  it('by default samples the full net and two random sub-networks, no fixed min width (TPAMI §4.2.1)', () => {
    const iters = run(BASE, 2000);
    for (const it of iters) {
      expect(it).toHaveLength(3);
      expect(it[0]).toEqual({ width: 1, resolution: 224, frames: 8 });
    }
    const widths = iters.flatMap((it) => it.slice(1).map((c) => c.width));
    expect(widths.filter((w) => w === 0.63)).toHaveLength(0);
    expect(chi2Uniform(histogram(widths, 0.63, 1, 10))).toBeLessThan(chi2Bound(9));
  });

  it('two-pathway mode varies only the slow pathway; the fast pathway stays at its full configuration', () => {
    const iters = run({ ...BASE, mode: 'two-pathway', fastFrames: 32 }, 2000);
    const fast = { width: 1, resolution: 224, frames: 32 };
    const wide = new VideoSampler({ ...BASE, mode: 'two-pathway', fastFrames: 32, fastResolution: 256 }).next();
    for (const c of wide) expect(c.fast).toEqual({ width: 1, resolution: 256, frames: 32 });
    for (const it of iters) for (const c of it) expect(c.fast).toEqual(fast);
    expect(iters[0]![0]).toEqual({ width: 1, resolution: 224, frames: 8, fast });
    // The slow pathway is sampled exactly as in single-pathway mode with the same seed.
    const strip = (c: VideoSubnetConfig) => ({ width: c.width, resolution: c.resolution, frames: c.frames });
    expect(iters.map((it) => it.map(strip))).toEqual(run(BASE, 2000));
    const slow = iters.flatMap((it) => it.slice(1));
    expect(new Set(slow.map((c) => c.resolution)).size).toBe(3);
    expect(new Set(slow.map((c) => c.frames)).size).toBe(3);
  });

  it('is reproducible for a seed and resumes exactly from a saved state', () => {
    expect(run(BASE, 30)).toEqual(run(BASE, 30));
    expect(run({ ...BASE, seed: 6 }, 30)).not.toEqual(run(BASE, 30));
    const s = new VideoSampler(BASE);
    for (let i = 0; i < 11; i++) s.next();
    const saved = s.state();
    const continued = Array.from({ length: 10 }, () => s.next());
    const resumed = new VideoSampler(BASE);
    resumed.setState(saved);
    expect(Array.from({ length: 10 }, () => resumed.next())).toEqual(continued);
  });

  it('rejects invalid options with named errors', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ widthRange: { min: 1, max: 0.63 } }, /widthRange min 1 > max 0.63/],
      [{ widthRange: { min: 0, max: 1 } }, /widthRange min must be > 0, got 0/],
      [{ resolutions: [] }, /resolutions list is empty/],
      [{ frames: [] }, /frames list is empty/],
      [{ frames: [3, 4.5] }, /frames must be positive integers, got 4.5/],
      [{ resolutions: [142, 178.2] }, /resolutions must be positive integers, got 178.2/],
      [{ numRandom: -2 }, /numRandom must be an integer >= 0, got -2/],
      [{ mode: 'two-pathway' }, /two-pathway mode needs fastFrames/],
      [{ mode: 'two-pathway', fastFrames: 0 }, /fastFrames must be positive integers, got 0/],
      [{ fastFrames: 32 }, /fastFrames 32 given, but mode is 'single-pathway'/],
      [{ fastResolution: 224 }, /fastResolution 224 given, but mode is 'single-pathway'/],
      [{ mode: 'two-pathway', fastFrames: 32, fastResolution: 0 }, /fastResolution must be positive integers, got 0/],
      [{ mode: 'three-pathway' }, /mode 'three-pathway' is not one of/],
    ];
    for (const [patch, message] of bad) {
      const make = () => new VideoSampler({ ...BASE, ...patch } as unknown as VideoSamplerOptions);
      expect(make).toThrow(ConfigError);
      expect(make).toThrow(message);
    }
  });
});
