function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A 32-bit seed that depends on every part (integers, any sign or size up to 2^53), for `new Rng(...)`. */
export function deriveSeed(...parts: readonly number[]): number {
  let h = 0x243f6a88;
  for (const part of parts) {
    const v = Math.floor(part);
    const lo = v >>> 0;
    const hi = Math.floor(v / 4294967296) >>> 0;
    h = fmix32((h ^ fmix32(lo + 0x9e3779b9)) + Math.imul(hi, 0x27d4eb2f) + 0x165667b1);
  }
  return h;
}
