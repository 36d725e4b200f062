import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

// A tiny bound, set before the addon loads (it reads the variable once).
process.env.ADAPTNET_NATIVE_CACHE = '4';
const native = await import('../src/index.js').catch((e: unknown) => {
  if (process.env.CI) throw e;
  return null;
});
const { loadAddon } = await import('../src/addon.js');
await import('@tensorflow/tfjs');

it.skipIf(native === null)('the primitive cache stays bounded and an evicted shape recomputes correctly', async () => {
  const addon = loadAddon();
  const run = async (backend: string, size: number) => {
    await tf.setBackend(backend);
    return tf.tidy(() => {
      const x = tf.tensor4d(
        Float32Array.from({ length: size * size * 2 }, (_, i) => Math.sin(i)),
        [1, size, size, 2],
      );
      const w = tf.tensor4d(
        Float32Array.from({ length: 18 * 3 }, (_, i) => Math.cos(i)),
        [3, 3, 2, 3],
      );
      return Array.from(tf.conv2d(x, w, 1, 'same').dataSync());
    });
  };
  const first = await run('native', 5);
  for (let size = 6; size < 16; size++) await run('native', size);
  expect(addon.cacheSizes()).toMatchObject({ conv: 4, capacity: 4 });
  const again = await run('native', 5); // evicted long ago: rebuilt
  expect(again).toEqual(first);
  const onCpu = await run('cpu', 5);
  again.forEach((v, i) => expect(v).toBeCloseTo(onCpu[i]!, 4));
});
