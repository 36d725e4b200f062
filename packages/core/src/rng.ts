import { ConfigError } from './errors.js';

/** Serializable RNG state: four 32-bit words of the sfc32 generator. */
export type RngState = readonly [number, number, number, number];

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * Seeded, reproducible RNG (sfc32). Its full state can be saved and restored, which is what makes
 * "train N steps, resume, train N more" bit-identical to "train 2N steps".
 */
export class Rng {
  // The four words live in a typed array: as object fields, values ≥ 2^30 are boxed numbers, and
  // every draw allocated (3–4× slower; the moving-actions renderer makes ~50K draws per clip).
  private readonly s = new Uint32Array(4);

  constructor(seed: number | RngState = 0) {
    if (typeof seed === 'number') {
      if (!Number.isFinite(seed)) throw new ConfigError(`RNG seed must be a finite number, got ${seed}`);
      const mix = splitmix32(Math.floor(seed));
      for (let i = 0; i < 4; i++) this.s[i] = mix();
      for (let i = 0; i < 12; i++) this.nextUint32();
    } else {
      this.setState(seed);
    }
  }

  nextUint32(): number {
    // Stores into the Uint32Array wrap modulo 2^32, as the `>>> 0` of the textbook version.
    const s = this.s;
    const a = s[0] as number;
    const b = s[1] as number;
    const c = s[2] as number;
    const d = s[3] as number;
    const t = (((a + b) >>> 0) + d) >>> 0;
    s[3] = d + 1;
    s[0] = b ^ (b >>> 9);
    s[1] = c + (c << 3);
    s[2] = ((c << 21) | (c >>> 11)) + t;
    return t;
  }

  /** Uniform in [0, 1) with 32 bits of randomness. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    if (!(hi >= lo)) throw new ConfigError(`uniform(lo, hi) needs lo <= hi, got lo=${lo}, hi=${hi}`);
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296) {
      throw new ConfigError(`int(n) needs an integer 1 <= n <= 2^32, got ${n}`);
    }
    const limit = 4294967296 - (4294967296 % n);
    let v = this.nextUint32();
    while (v >= limit) v = this.nextUint32();
    return v % n;
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new ConfigError('choice() needs a non-empty list');
    return items[this.int(items.length)] as T;
  }

  /** In-place Fisher-Yates shuffle; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  state(): RngState {
    return [this.s[0] as number, this.s[1] as number, this.s[2] as number, this.s[3] as number];
  }

  setState(state: RngState): void {
    for (let i = 0; i < 4; i++) this.s[i] = (state[i] as number) >>> 0;
  }

  /** An independent stream derived from this one (e.g. one per data-loader worker). */
  fork(): Rng {
    return new Rng(this.nextUint32());
  }
}
