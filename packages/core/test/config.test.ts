import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  ConfigRangeError,
  type ConfigSpace,
  configKey,
  makeContext,
  validateConfig,
  validateSpace,
  widthInRange,
} from '../src/index.js';

const space: ConfigSpace = {
  width: { min: 0.25, max: 1 },
  resolutions: [16, 20, 24, 28],
  frames: { min: 3, max: 8 },
  scales: { stages: 2, choices: [0.5, 1, 2] },
};

describe('validateConfig', () => {
  it('accepts configurations inside the space, including float-rounded bounds', () => {
    expect(validateConfig({ width: 0.25, resolution: 16 }, space).width).toBe(0.25);
    expect(() => validateConfig({ width: 0.1 * 10, resolution: 28 }, space)).not.toThrow();
    expect(() => validateConfig({ width: 0.75, resolution: 24, frames: 5, scales: [0.5, 2] }, space)).not.toThrow();
  });

  it.each([
    [{ width: 1.2, resolution: 28 }, /width 1\.2 is outside the allowed range: \[0\.25, 1\]/],
    [{ width: 0.2, resolution: 28 }, /width 0\.2 is outside the allowed range/],
    [{ width: Number.NaN, resolution: 28 }, /width must be a finite number, got NaN/],
    [{ width: 0.5, resolution: 32 }, /resolution 32 is outside the allowed range: one of \{16, 20, 24, 28\}/],
    [{ width: 0.5, resolution: 28, frames: 9 }, /frames 9 is outside the allowed range: \[3, 8\]/],
    [{ width: 0.5, resolution: 28, scales: [1] }, /scales has 1 entries, the model has 2 resizable stages/],
    [{ width: 0.5, resolution: 28, scales: [1, 3] }, /scales\[1\] 3 is outside/],
  ])('rejects %j with a named error', (config, message) => {
    expect(() => validateConfig(config, space)).toThrow(ConfigRangeError);
    expect(() => validateConfig(config, space)).toThrow(message);
  });

  it('rejects frames for a model without a temporal axis', () => {
    expect(() => validateConfig({ width: 1, resolution: 28, frames: 4 }, { width: { min: 0.25, max: 1 }, resolutions: [28] })).toThrow(
      /no temporal axis/,
    );
  });

  it('errors carry stable codes', () => {
    try {
      validateConfig({ width: 3, resolution: 28 }, space);
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigRangeError).code).toBe('E_CONFIG_RANGE');
    }
  });
});

describe('validateSpace', () => {
  it.each([
    [{ width: { min: 1, max: 0.25 }, resolutions: [28] }, /min 1 > max 0\.25/],
    [{ width: { min: 0, max: 1 }, resolutions: [28] }, /width must be > 0/],
    [{ width: { min: 0.25, max: 1 }, resolutions: [] }, /resolutions list is empty/],
    [{ width: { min: 0.25, max: 1 }, resolutions: [28.5] }, /positive integers, got 28\.5/],
  ])('rejects a malformed space %j', (s, message) => {
    expect(() => validateSpace(s as ConfigSpace)).toThrow(ConfigError);
    expect(() => validateSpace(s as ConfigSpace)).toThrow(message);
  });
});

describe('contexts and keys', () => {
  it('makeContext validates when given a space', () => {
    expect(makeContext({ width: 0.5, resolution: 20 }, true, space).training).toBe(true);
    expect(() => makeContext({ width: 0.5, resolution: 21 }, true, space)).toThrow(ConfigRangeError);
  });

  it('configKey distinguishes every field', () => {
    const keys = new Set([
      configKey({ width: 0.5, resolution: 20 }),
      configKey({ width: 0.55, resolution: 20 }),
      configKey({ width: 0.5, resolution: 24 }),
      configKey({ width: 0.5, resolution: 20, frames: 4 }),
      configKey({ width: 0.5, resolution: 20, scales: [1, 2] }),
    ]);
    expect(keys.size).toBe(5);
  });
});

describe('widthInRange', () => {
  const range = { min: 0.3, max: 0.9 };
  it('counts a width within float rounding of a bound as the bound', () => {
    expect(0.1 * 3 === 0.3).toBe(false); // 0.30000000000000004
    expect(widthInRange(0.1 * 3, range)).toBe(true);
    expect(widthInRange(0.3 * 3, range)).toBe(true); // 0.8999999999999999
    expect(widthInRange(0.6, range)).toBe(true);
  });
  it('refuses widths beyond rounding, and non-finite ones', () => {
    expect(widthInRange(0.299, range)).toBe(false);
    expect(widthInRange(0.901, range)).toBe(false);
    expect(widthInRange(Number.NaN, range)).toBe(false);
    expect(widthInRange(Number.POSITIVE_INFINITY, { min: 0.25, max: Number.POSITIVE_INFINITY })).toBe(false);
  });
});
