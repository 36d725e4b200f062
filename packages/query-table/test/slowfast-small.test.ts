import { createBackbone } from '@adaptnet/backbones';
import { createImageDataset, movingFashionActions, VideoStream } from '@adaptnet/data';
import { costOf } from '@adaptnet/flops';
import { useBackend } from '@adaptnet/testing';
import { beforeAll, expect, it } from 'vitest';
import { evaluateGrid } from '../src/index.js';

beforeAll(() => useBackend('cpu'));

it('SlowFast reads the full clip at every configuration (its Slow pathway picks the frames); costs per view from costOf', async () => {
  // α = 4: the Fast pathway reads 4 × 2 = 8 frames at 16 px whatever the configuration.
  const space = { width: { min: 0.63, max: 1 }, resolutions: [16, 12], frames: [2, 1] };
  const model = createBackbone('slowfast-small', { numClasses: 8, inChannels: 1, configSpace: space, seed: 3 });
  const items = createImageDataset({
    name: 'items',
    height: 8,
    width: 8,
    channels: 1,
    classNames: ['a', 'b'],
    pixels: Uint8Array.from({ length: 20 * 64 }, (_, i) => (i * 37) % 256),
    labels: Int32Array.from({ length: 20 }, (_, i) => i % 2),
  });
  const clips = new VideoStream(movingFashionActions(items, { size: 2, frames: 8, canvas: 16, seed: 4 }), { batchSize: 2, frames: 8 });
  // Every clip the grid asks for, as resolution × frames.
  const asked: string[] = [];
  async function* recorded() {
    for await (const batch of clips.epoch(0)) {
      const own = batch.clips.bind(batch);
      const clipsAt = (r: number, t?: number) => {
        asked.push(`${r}x${t}`);
        return own(r, t);
      };
      yield Object.assign(batch, { clips: clipsAt });
    }
  }
  const table = await evaluateGrid(model, { widths: [1], resolutions: [16, 12], frames: [2, 1] }, recorded, recorded, {
    calibrationSamples: 2,
    disposeBatches: true,
    log: false,
    latency: { runs: 1, warmup: 0 },
  });
  for (const row of table.rows) expect(row.macs).toBe(costOf(model, row.config).macs);
  expect(table.rows.map((r) => r.key)).toEqual(['w1.000-r16-f2', 'w1.000-r12-f2', 'w1.000-r16-f1', 'w1.000-r12-f1']);
  expect(asked.length).toBeGreaterThanOrEqual(8);
  expect(new Set(asked)).toEqual(new Set(['16x8']));
  const macs = table.rows.map((r) => r.macs);
  expect(new Set(macs).size).toBe(4); // the Slow pathway's resolution and frames still change the cost
  model.dispose();
}, 60_000);
