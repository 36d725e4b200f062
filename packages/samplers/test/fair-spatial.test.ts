import { ConfigError, type SubnetConfig } from '@adaptnet/core';
import { describe, expect, it } from 'vitest';
import { FairSpatialSampler, type FairSpatialSamplerOptions } from '../src/index.js';
import { chi2Bound, chi2Uniform, countOver } from './helpers/stats.js';

const CHOICES = [0.5, 0.625, 0.75, 0.875, 1];
const BASE: FairSpatialSamplerOptions = { stages: 4, choices: CHOICES, resolution: 224, seed: 3 };

function pairs(configs: readonly SubnetConfig[]): string[] {
  return configs.flatMap((c) => c.scales!.map((f, stage) => `${stage}:${f}`));
}

describe('FairSpatialSampler', () => {
  it('Algorithm 1 default: one iteration is a cycle of choices.length subnets, each (stage, factor) pair exactly once', () => {
    const s = new FairSpatialSampler(BASE);
    expect(s.cycleLength).toBe(1);
    for (let i = 0; i < 200; i++) {
      const configs = s.next();
      expect(configs).toHaveLength(5);
      for (const c of configs) {
        expect(c.width).toBe(1);
        expect(c.resolution).toBe(224);
        expect(c.scales).toHaveLength(4);
      }
      const p = pairs(configs);
      expect(new Set(p).size).toBe(p.length); // no (stage, factor) pair repeats in an iteration
      expect(p).toHaveLength(4 * 5); // so all 20 pairs are there
    }
  });

  it('with fewer subnets per iteration, no pair repeats within an iteration and counts are exactly equal per cycle', () => {
    const choices = [0.25, 0.5, 0.75, 1, 1.25, 1.5];
    const s = new FairSpatialSampler({ ...BASE, choices, subnetsPerIteration: 2 });
    expect(s.cycleLength).toBe(3);
    const counts = new Map<string, number>();
    for (let cycle = 1; cycle <= 100; cycle++) {
      for (let i = 0; i < s.cycleLength; i++) {
        const configs = s.next();
        expect(configs).toHaveLength(2);
        const p = pairs(configs);
        expect(new Set(p).size).toBe(p.length);
        for (const key of p) counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      // After every full cycle every one of the 4 × 6 pairs has been trained exactly `cycle` times.
      expect(counts.size).toBe(24);
      expect([...counts.values()].every((n) => n === cycle)).toBe(true);
    }
  });

  it('the factors are randomly assigned: the first subnet of an iteration is uniform over the choices at each stage', () => {
    const s = new FairSpatialSampler(BASE);
    const iters = Array.from({ length: 3000 }, () => s.next());
    for (let stage = 0; stage < 4; stage++) {
      const firsts = iters.map((it) => it[0]!.scales![stage]!);
      expect(chi2Uniform(countOver(firsts, CHOICES))).toBeLessThan(chi2Bound(4));
    }
    // Stages are permuted independently: some subnet mixes different factors across stages.
    expect(iters.some((it) => it.some((c) => new Set(c.scales).size > 1))).toBe(true);
  });

  it('is reproducible and resumes exactly from a saved state in the middle of a cycle', () => {
    const opts = { ...BASE, choices: [0.5, 0.75, 1, 1.25], subnetsPerIteration: 2 };
    const a = new FairSpatialSampler(opts);
    const b = new FairSpatialSampler(opts);
    const seqA = Array.from({ length: 9 }, () => a.next());
    expect(Array.from({ length: 9 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 9 }, () => new FairSpatialSampler({ ...opts, seed: 4 }).next())).not.toEqual(seqA);
    const saved = JSON.parse(JSON.stringify(a.state()));
    expect(saved.pending).toHaveLength(2); // 9 iterations of 2 into cycles of 4: mid-cycle
    const continued = Array.from({ length: 7 }, () => a.next());
    const resumed = new FairSpatialSampler({ ...opts, seed: 123 });
    resumed.setState(saved);
    expect(Array.from({ length: 7 }, () => resumed.next())).toEqual(continued);
  });

  it('rejects invalid options and states with named errors', () => {
    const bad: [Partial<FairSpatialSamplerOptions>, RegExp][] = [
      [{ stages: 0 }, /stages must be an integer >= 1, got 0/],
      [{ stages: 2.5 }, /stages must be an integer >= 1, got 2.5/],
      [{ choices: [] }, /choices list is empty/],
      [{ choices: [0.5, 0] }, /choices must be finite numbers > 0, got 0/],
      [{ choices: [0.5, 0.5] }, /choices lists 0.5 twice/],
      [{ resolution: 223.5 }, /resolution must be positive integers, got 223.5/],
      [{ width: 0 }, /width must be a finite number > 0, got 0/],
      [{ subnetsPerIteration: 0 }, /subnetsPerIteration must be an integer >= 1, got 0/],
      [{ subnetsPerIteration: 3 }, /subnetsPerIteration 3 does not divide the 5 choices/],
    ];
    for (const [patch, message] of bad) {
      const make = () => new FairSpatialSampler({ ...BASE, ...patch });
      expect(make).toThrow(ConfigError);
      expect(make).toThrow(message);
    }
    const s = new FairSpatialSampler(BASE);
    expect(() => s.setState({ rng: s.state().rng, pending: [[0.5, 0.5, 0.5]] })).toThrow(/state does not fit 4 stages/);
    expect(() => s.setState({ rng: [0, 0] as unknown as [number, number, number, number], pending: [] })).toThrow(ConfigError);
  });
});
