import { describe, expect, it } from 'vitest';
import { checkInputSide, maxInputSide } from '../src/node.js';

describe('maxInputSide / checkInputSide', () => {
  it('is the side whose float32 batch fits in min(2 GiB, RAM/8): hand-computed cases', () => {
    const GiB = 2 ** 30;
    // 24 GiB: the 2 GiB typed-array limit binds. 500 grey images: √(2³¹ / (500·1·4)) = 1036.2.
    expect(maxInputSide(1, 500, 24 * GiB)).toBe(1036);
    // 500 RGB images: √(2³¹ / 6000) = 598.3.
    expect(maxInputSide(3, 500, 24 * GiB)).toBe(598);
    // 8 GiB: RAM/8 = 1 GiB binds. 32 clips of 8 frames × 3 channels: √(2³⁰ / (32·24·4)) = 591.2.
    expect(maxInputSide(24, 32, 8 * GiB)).toBe(591);
  });

  it('refuses a larger side with one line naming the flag, the limit and why', () => {
    const max = maxInputSide(1, 8);
    expect(() => checkInputSide(max, { valuesPerPixel: 1, batch: 8, flag: '--sizes', what: 'grey scenes' })).not.toThrow();
    expect(() => checkInputSide(max + 1, { valuesPerPixel: 1, batch: 8, flag: '--sizes', what: 'grey scenes' })).toThrow(
      new RegExp(
        `^--sizes ${max + 1} is too large: at most ${max} for grey scenes \\(a batch of 8 must fit in min\\(2 GiB, RAM/8\\) as float32\\)$`,
      ),
    );
  });
});
