// Creating a backbone allocates its weights: a backend must be registered (core registers none).
import '@tensorflow/tfjs-backend-cpu';
import { createBackbone } from '@adaptnet/backbones';
import { describe, expect, it } from 'vitest';
import { costOf } from '../src/index.js';

describe('costOf on the video backbones', () => {
  it('takes [1, frames, r, r, 3] from inputShape and agrees with cost() at that shape', () => {
    // The small variant: the full-size models take seconds just to allocate their weights.
    const net = createBackbone('slow-small', { numClasses: 400 });
    const r = costOf(net, { width: 1, resolution: 64, frames: 8 });
    expect(r.inShape).toEqual([1, 8, 64, 64, 3]);
    expect(r.macs).toBe(net.cost([1, 8, 64, 64, 3], { config: { width: 1, resolution: 64, frames: 8 }, training: false }).macs);
    expect(r.outShape).toEqual([1, 400]);
    // Fewer frames, lower resolution, narrower: much cheaper.
    expect(costOf(net, { width: 0.63, resolution: 40, frames: 3 }).macs).toBeLessThan(r.macs / 4);
    net.dispose();
  });

  it('a video model without frames in the configuration is a named error', () => {
    const net = createBackbone('x3d-small');
    expect(() => costOf(net, { width: 1, resolution: 64 })).toThrow(/config\.frames must be a positive integer.*got undefined/);
    net.dispose();
  });

  it('SlowFast reads the full clip: α × frames at the largest resolution; only the Slow pathway follows the configuration', () => {
    const net = createBackbone('slowfast-small');
    const r = costOf(net, { width: 0.63, resolution: 40, frames: 2 });
    expect(r.inShape).toEqual([1, 16, 64, 64, 3]);
    expect(r.macs).toBeLessThan(costOf(net, { width: 1, resolution: 64, frames: 4 }).macs);
    net.dispose();
  });
});
