import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

describe('adaptnet-video flops (no run needed)', () => {
  it('published networks: the papers’ conv + linear multiply-adds plus the global average pools, per view', async () => {
    // Slow 8×8 at 8 × 256²: 54,518,382,592 conv + linear MACs (PySlowFast / fvcore); its one global
    // pool averages 2048 channels over 8 × 8 × 8 positions: + 1,048,576.
    const slow = await cli('flops', '--model', 'slow-8x8', '--resolution', '256', '--frames', '8', '--json');
    expect(slow.code, slow.stderr).toBe(0);
    expect(JSON.parse(slow.stdout)).toEqual({ macs: 54_518_382_592 + 2048 * 8 * 8 * 8, params: 32_454_096 });
    // SlowFast 4×16 (Slow 4 × 256², Fast 32 × 256²): 36,099,198,976; pools: Slow 2048 × 4·8·8 and Fast 256 × 32·8·8.
    const sf = await cli('flops', '--model', 'slowfast-4x16', '--resolution', '256', '--frames', '4', '--json');
    expect(sf.code, sf.stderr).toBe(0);
    expect(JSON.parse(sf.stdout).macs).toBe(36_099_198_976 + 2048 * 4 * 8 * 8 + 256 * 32 * 8 * 8);
  }, 120_000);

  it('text output names the configuration; MACs grow with width, size and frames', async () => {
    const full = await cli('flops');
    expect(full.code, full.stderr).toBe(0);
    expect(full.stdout).toMatch(
      /^slow-small \(1 channel, 8 classes\) width 1 resolution 64 frames 8: [0-9,]+ multiply-adds \([0-9.]+ MFLOPs\) per view, [0-9,]+ parameters; input \[1, 8, 64, 64, 1\]$/,
    );
    const macs = async (...args: string[]) => (JSON.parse((await cli('flops', '--json', ...args)).stdout) as { macs: number }).macs;
    const base = await macs('--width', '0.75', '--resolution', '32', '--frames', '5');
    expect(await macs('--width', '1', '--resolution', '32', '--frames', '5')).toBeGreaterThan(base);
    expect(await macs('--width', '0.75', '--resolution', '48', '--frames', '5')).toBeGreaterThan(base);
    expect(await macs('--width', '0.75', '--resolution', '32', '--frames', '8')).toBeGreaterThan(base);
    const layers = (await cli('flops', '--layers', '--width', '0.75', '--resolution', '32', '--frames', '5')).stdout;
    expect(layers).toMatch(new RegExp(`total: ${base.toLocaleString('en-US')} \\(`));
  }, 60_000);

  it('bad input: one line, exit code 2', async () => {
    const model = await cli('flops', '--model', 'resnet-50');
    expect(model.code).toBe(2);
    expect(model.stderr).toMatch(
      /argument 'resnet-50' is invalid\. Allowed choices are slow-8x8, slowfast-4x16, x3d-m, slow-small, slowfast-small, x3d-small/,
    );
    const width = await cli('flops', '--width', '1.5');
    expect(width.code).toBe(2);
    expect(width.errors).toEqual(['adaptnet-video: error: --width 1.5 is above 1 (the full network)']);
    const frames = await cli('flops', '--frames', 'eight');
    expect(frames.code).toBe(2);
    expect(frames.stderr).toBe(
      "adaptnet-video: error: option '--frames <t>' argument 'eight' is invalid. --frames must be a positive integer, got 'eight' (see --help)",
    );
  });
});
