import { ConfigError } from '@adaptnet/core';
import { describe, expect, it } from 'vitest';
import { activeChannels, makeDivisible } from '../src/index.js';

describe('makeDivisible', () => {
  it('reproduces the issue facts: 3 → 9, 0.5 → 1, 12 → 16', () => {
    expect(makeDivisible(3)).toBe(9);
    expect(makeDivisible(0.5)).toBe(1);
    expect(makeDivisible(12)).toBe(16);
  });

  it('rounds to the nearest multiple and never loses more than 10%', () => {
    expect(makeDivisible(32)).toBe(32);
    expect(makeDivisible(19.9)).toBe(16 + 8); // 16 < 0.9 · 19.9 = 17.91
    expect(makeDivisible(17)).toBe(16); // 16 >= 15.3
    expect(makeDivisible(20)).toBe(24); // (20 + 4) / 8 = 3
    expect(makeDivisible(10, 4)).toBe(12);
    expect(makeDivisible(0.5, 8, 8)).toBe(8);
  });

  it('rejects bad arguments with a named error', () => {
    expect(() => makeDivisible(-1)).toThrow(ConfigError);
    expect(() => makeDivisible(4, 0)).toThrow(/divisor must be a positive integer, got 0/);
  });
});

describe('activeChannels', () => {
  it('is makeDivisible(full · width / ratio) · ratio, capped at full', () => {
    expect(activeChannels(32, 1)).toBe(32);
    expect(activeChannels(32, 0.5)).toBe(16);
    expect(activeChannels(32, 0.35)).toBe(16); // makeDivisible(11.2) = 16
    expect(activeChannels(12, 1)).toBe(12); // makeDivisible(12) = 16, capped
    // MBv2 expansion 6 on a 32-channel block input: 6 · makeDivisible(32 · 0.5)
    expect(activeChannels(192, 0.5, { ratio: 6 })).toBe(96);
    expect(activeChannels(192, 0.3, { ratio: 6 })).toBe(6 * makeDivisible(9.6));
    // ResNet bottleneck 0.25: a quarter of the rounded block output.
    expect(activeChannels(64, 0.5, { ratio: 0.25 })).toBe(makeDivisible(128) * 0.25);
    expect(activeChannels(64, 0.3, { ratio: 0.25 })).toBe(makeDivisible(76.8) * 0.25);
    for (const w of [0.05, 0.25, 0.33, 0.5, 0.77, 1]) {
      const c = activeChannels(100, w, { ratio: 0.25 });
      expect(Number.isInteger(c) && c >= 1 && c <= 100).toBe(true);
    }
  });

  it('the maximum width is the whole layer, whatever the divisor', () => {
    // makeDivisible(58) = 56: without the rule, width 1 would drop two of ShuffleNetV2's 58 channels.
    expect(activeChannels(58, 1)).toBe(58);
    expect(activeChannels(58, 2, { maxWidth: 2 })).toBe(58);
    expect(activeChannels(58, 0.5)).toBe(32); // makeDivisible(29) = 32
  });

  it('measures width against maxWidth when a model scales up', () => {
    expect(activeChannels(64, 1, { maxWidth: 2 })).toBe(32);
    expect(activeChannels(64, 2, { maxWidth: 2 })).toBe(64);
  });
});
