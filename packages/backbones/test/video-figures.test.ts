// Creating a backbone allocates its weights: a backend must be registered (core registers none).
import '@tensorflow/tfjs-backend-cpu';
import type { Cost, ForwardContext } from '@adaptnet/core';
import { describe, expect, it } from 'vitest';
import { createBackbone, seChannels } from '../src/index.js';

const ctx = (width: number, resolution: number, frames: number): ForwardContext => ({
  config: { width, resolution, frames },
  training: false,
});
/** PySlowFast's counter (fvcore `flop_count` as used for the published tables): conv + linear multiply-adds only. */
const convLinear = (c: Cost) =>
  c.layers.filter((l) => l.kind === 'conv3d' || l.kind === 'depthwise-conv3d' || l.kind === 'dense').reduce((s, l) => s + l.macs, 0);
const paramsNoBn = (c: Cost) => c.layers.filter((l) => l.kind !== 'batchnorm').reduce((s, l) => s + l.params, 0);

/** Independent Slow-only R50 count (conv + linear MACs, conv + linear params), written out from the SlowFast paper's Table 1. */
function slowR50(t: number, r: number, classes: number): { macs: number; params: number } {
  let macs = 0;
  let params = 0;
  const conv = (out: number, k: number, cin: number, cout: number) => {
    macs += out * k * cin * cout;
    params += k * cin * cout;
  };
  let h = Math.floor((r + 6 - 7) / 2) + 1;
  conv(t * h * h, 49, 3, 64);
  h = Math.floor((h + 2 - 3) / 2) + 1;
  let c = 64;
  [3, 4, 6, 3].forEach((n, s) => {
    const inner = 64 * 2 ** s;
    const kt = s < 2 ? 1 : 3;
    for (let i = 0; i < n; i++) {
      const st = i === 0 && s > 0 ? 2 : 1;
      const ho = Math.floor((h + 2 - 3) / st) + 1;
      conv(t * h * h, kt, c, inner);
      conv(t * ho * ho, 9, inner, inner);
      conv(t * ho * ho, 1, inner, inner * 4);
      if (i === 0) conv(t * ho * ho, 1, c, inner * 4);
      h = ho;
      c = inner * 4;
    }
  });
  conv(1, 1, c, classes);
  return { macs, params: params + classes };
}

describe('Slow-8×8 R50', () => {
  const net = createBackbone('slow-8x8', { numClasses: 400 });
  const full = net.cost([1, 8, 256, 256, 3], ctx(1, 256, 8));

  it('is 54.5 GFLOPs per view at 8 × 256 × 256 (PySlowFast test crop), conv + linear as fvcore counts', () => {
    const ref = slowR50(8, 256, 400);
    expect(convLinear(full)).toBe(ref.macs);
    expect(ref.macs).toBe(54_518_382_592);
    expect((convLinear(full) / 1e9).toFixed(1)).toBe('54.5');
    // Our total also counts the global pool (8·8·8·2048 elements): still within 1 % of 54.5 G.
    expect(full.macs - convLinear(full)).toBe(8 * 8 * 8 * 2048);
    expect(Math.abs(full.macs / 54.5e9 - 1)).toBeLessThan(0.01);
    // At the 224 training crop it would be 41.7 G: the published figure is the 256 test crop.
    expect((convLinear(net.cost([1, 8, 224, 224, 3], ctx(1, 224, 8))) / 1e9).toFixed(1)).toBe('41.7');
  });

  it('has 32.45 M parameters with BN γ/β (32.5 M published; fvcore counts every parameter), 32.40 M conv + linear', () => {
    expect(paramsNoBn(full)).toBe(slowR50(8, 256, 400).params);
    expect(paramsNoBn(full)).toBe(32_400_976);
    expect(full.params).toBe(32_454_096);
    expect((full.params / 1e6).toFixed(1)).toBe('32.5');
    expect(full.params).toBe(net.parameterCount());
  });
});

describe('SlowFast-4×16 R50', () => {
  const net = createBackbone('slowfast-4x16', { numClasses: 400 });
  // Fast: 32 frames at 256²; Slow: 4 frames at 256² (the full configuration).
  const full = net.cost([1, 32, 256, 256, 3], ctx(1, 256, 4));

  it('is 36.1 GFLOPs per view at 256² (SlowFast paper Table 2), conv + linear', () => {
    expect(convLinear(full)).toBe(36_099_198_976);
    expect((convLinear(full) / 1e9).toFixed(1)).toBe('36.1');
    expect(Math.abs(full.macs / 36.1e9 - 1)).toBeLessThan(0.01);
  });

  it('has 34.48 M parameters: mmaction2’s 34,479,288 plus the BN γ/β of the four laterals (mmaction2 has none there)', () => {
    expect(paramsNoBn(full)).toBe(34_419_528);
    expect(full.params).toBe(net.parameterCount());
    const lateralBn = 2 * (16 + 64 + 128 + 256);
    expect(full.params).toBe(34_479_288 + lateralBn);
  });

  it('only the Slow pathway shrinks: the Fast pathway and laterals cost the same at every configuration', () => {
    const small = net.cost([1, 32, 224, 224, 3], ctx(0.63, 142, 2));
    const fastPart = (c: Cost) => c.layers.filter((l) => /\.fast\.|\.fuse\d/.test(l.name)).reduce((s, l) => s + l.macs, 0);
    const big = net.cost([1, 32, 224, 224, 3], ctx(1, 224, 4));
    expect(fastPart(small)).toBe(fastPart(big));
    expect(small.macs).toBeLessThan(big.macs / 3);
  });
});

/** Independent X3D-M count (X3D paper Table 1 / PySlowFast X3D): conv + linear MACs. */
function x3dM(t: number, r: number, classes: number): number {
  let macs = 0;
  let h = Math.floor((r + 2 - 3) / 2) + 1;
  macs += t * h * h * (27 * 24 + 5 * 24);
  let c = 24;
  [3, 5, 11, 7].forEach((n, s) => {
    const out = [24, 48, 96, 192][s] as number;
    const inner = Math.floor(2.25 * out);
    for (let i = 0; i < n; i++) {
      const st = i === 0 ? 2 : 1;
      const ho = Math.floor((h + 2 - 3) / st) + 1;
      macs += t * h * h * c * inner + t * ho * ho * 27 * inner + t * ho * ho * inner * out;
      if (i % 2 === 0) macs += 2 * inner * seChannels(inner);
      if (i === 0) macs += t * ho * ho * c * out;
      h = ho;
      c = out;
    }
  });
  return macs + t * h * h * 192 * 432 + 432 * 2048 + 2048 * classes;
}

describe('X3D-M', () => {
  const net = createBackbone('x3d-m', { numClasses: 400 });

  it('SE widths follow PySlowFast’s rounding: 8, 8, 16, 32 for inner 54, 108, 216, 432', () => {
    expect([54, 108, 216, 432].map((c) => seChannels(c))).toEqual([8, 8, 16, 32]);
  });

  it('is 6.2 GFLOPs at 16 × 256² (X3D paper: trained at 224, tested at 256), 4.7 G at 224', () => {
    const full = net.cost([1, 16, 256, 256, 3], ctx(1, 256, 16));
    expect(convLinear(full)).toBe(x3dM(16, 256, 400));
    expect((convLinear(full) / 1e9).toFixed(1)).toBe('6.2');
    expect(Math.abs(full.macs / 6.2e9 - 1)).toBeLessThan(0.01);
    expect((convLinear(net.cost([1, 16, 224, 224, 3], ctx(1, 224, 16))) / 1e9).toFixed(1)).toBe('4.7');
  });

  it('has 3.8 M parameters (X3D paper)', () => {
    const full = net.cost([1, 16, 224, 224, 3], ctx(1, 224, 16));
    expect(full.params).toBe(net.parameterCount());
    expect((full.params / 1e6).toFixed(1)).toBe('3.8');
  });
});
