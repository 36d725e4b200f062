import { ConfigError } from '@adaptnet/core';
import { describe, expect, it } from 'vitest';
import { defaultWidths, gridConfigs } from '../src/index.js';

describe('defaultWidths', () => {
  it('steps 0.05 from the trained minimum to the maximum, both included, without float drift', () => {
    const widths = defaultWidths({ min: 0.25, max: 1 });
    // Built from integers: (25 + 5i) / 100 is the nearest double to each decimal.
    expect(widths).toEqual(Array.from({ length: 16 }, (_, i) => (25 + 5 * i) / 100));
    expect(widths).toContain(0.7); // 0.25 + 9 * 0.05 = 0.7000000000000001 before rounding
    expect(defaultWidths({ min: 0.35, max: 1 })).toEqual(Array.from({ length: 14 }, (_, i) => (35 + 5 * i) / 100));
    expect(defaultWidths({ min: 1, max: 2 }, 0.25)).toEqual([1, 1.25, 1.5, 1.75, 2]);
  });

  it('appends the maximum when the steps miss it, and handles a single width', () => {
    expect(defaultWidths({ min: 0.25, max: 0.42 })).toEqual([0.25, 0.3, 0.35, 0.4, 0.42]);
    expect(defaultWidths({ min: 0.5, max: 0.5 })).toEqual([0.5]);
    expect(defaultWidths({ min: 0.1, max: 0.3 }, 0.1)).toEqual([0.1, 0.2, 0.3]);
  });

  it('rejects a bad range or step with a named error', () => {
    expect(() => defaultWidths({ min: 1, max: 0.5 })).toThrow(ConfigError);
    expect(() => defaultWidths({ min: 0, max: 1 })).toThrow(/0 < min <= max, got \[0, 1\]/);
    expect(() => defaultWidths({ min: 0.25, max: 1 }, 0)).toThrow(/step must be a positive number, got 0/);
    expect(() => defaultWidths({ min: 0.25, max: 1 }, Number.NaN)).toThrow(ConfigError);
  });
});

describe('gridConfigs', () => {
  it('lists resolutions outer, widths inner', () => {
    expect(gridConfigs({ widths: [0.5, 1], resolutions: [224, 128] })).toEqual([
      { width: 0.5, resolution: 224 },
      { width: 1, resolution: 224 },
      { width: 0.5, resolution: 128 },
      { width: 1, resolution: 128 },
    ]);
  });
});
