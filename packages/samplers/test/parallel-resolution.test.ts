import { ConfigError } from '@adaptnet/core';
import { describe, expect, it } from 'vitest';
import { ParallelResolutionSampler } from '../src/index.js';

describe('ParallelResolutionSampler', () => {
  it('returns every resolution at full width, largest first, every iteration', () => {
    const s = new ParallelResolutionSampler({ resolutions: [128, 224, 96, 192, 160] });
    const expected = [224, 192, 160, 128, 96].map((resolution) => ({ width: 1, resolution }));
    for (let i = 0; i < 5; i++) expect(s.next()).toEqual(expected);
    expect(s.state()).toBeNull();
  });

  it('takes a fixed width and does not share arrays between iterations', () => {
    const s = new ParallelResolutionSampler({ resolutions: [32, 64], width: 0.5 });
    const a = s.next();
    a.pop();
    expect(s.next()).toEqual([
      { width: 0.5, resolution: 64 },
      { width: 0.5, resolution: 32 },
    ]);
  });

  it('rejects invalid options with named errors', () => {
    expect(() => new ParallelResolutionSampler({ resolutions: [] })).toThrow(/resolutions list is empty/);
    expect(() => new ParallelResolutionSampler({ resolutions: [224, 99.5] })).toThrow(/resolutions must be positive integers, got 99.5/);
    expect(() => new ParallelResolutionSampler({ resolutions: [224], width: 0 })).toThrow(/width must be a finite number > 0, got 0/);
    expect(() => new ParallelResolutionSampler({ resolutions: [224], width: -1 })).toThrow(ConfigError);
  });
});
