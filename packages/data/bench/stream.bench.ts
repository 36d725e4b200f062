/**
 * Batch-stream throughput for the reference Fashion-MNIST recipe (batch 128, pad-crop 2 + flip,
 * normalise, images at 28/24/20/16) and for a 256-px RandomResizedCrop source at 224/192/160/128,
 * on the cpu backend and on native when built. Run: pnpm --filter @adaptnet/data bench
 * (JSON in bench-results/stream.json).
 */
import { initBackend } from '@adaptnet/core/node';
import { bench, describe } from 'vitest';
import { BatchStream, createImageDataset, FASHION_MNIST_NORMALIZE, IMAGENET_NORMALIZE } from '../src/index.js';
import { loadFashionMnist } from '../src/node.js';

const fashion = await loadFashionMnist({ split: 'train' });
const big = createImageDataset({
  name: 'random-256',
  height: 256,
  width: 256,
  channels: 3,
  classNames: ['a'],
  pixels: Uint8Array.from({ length: 64 * 256 * 256 * 3 }, (_, i) => (i * 2654435761) >>> 24),
  labels: new Int32Array(64),
});

const backends: ('cpu' | 'native')[] = ['cpu'];
try {
  await initBackend({ backend: 'native', log: false });
  backends.push('native');
} catch {
  // not built here
}

function oneEpochPart(stream: BatchStream, resolutions: number[], batches: number) {
  return async () => {
    let n = 0;
    for await (const batch of stream.epoch(n)) {
      for (const r of resolutions) batch.images(r).dataSync();
      batch.dispose();
      if (++n === batches) break;
    }
  };
}

for (const backend of backends) {
  describe(backend, async () => {
    await initBackend({ backend, log: false });
    const recipe = new BatchStream(fashion, {
      batchSize: 128,
      augment: { kind: 'pad-crop', padding: 2, flip: true },
      normalize: FASHION_MNIST_NORMALIZE,
    });
    bench('fashion-mnist pad-crop, 10 batches of 128 at 28/24/20/16', oneEpochPart(recipe, [28, 24, 20, 16], 10), { iterations: 5 });
    const rrc = new BatchStream(big, {
      batchSize: 32,
      augment: { kind: 'random-resized-crop', flip: true },
      normalize: IMAGENET_NORMALIZE,
    });
    bench('256-px random-resized-crop, 2 batches of 32 at 224/192/160/128', oneEpochPart(rrc, [224, 192, 160, 128], 2), { iterations: 3 });
  });
}
