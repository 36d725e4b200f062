import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

// Pooling on (the default), before the addon loads.
delete process.env.ADAPTNET_NATIVE_POOL_MB;
const native = await import('../src/index.js').catch((e: unknown) => {
  if (process.env.CI) throw e;
  return null;
});
const { outputPool, BufferPool, poolCapacityFromEnv } = await import('../src/kernel-utils.js');
await import('@tensorflow/tfjs');

const N = 64 * 64; // pooled size (≥ 4096 floats)
const ramp = (k: number) => tf.tensor1d(Float32Array.from({ length: N }, (_, i) => i + k));
const bufferOf = (t: tf.Tensor) =>
  (tf.engine().backend as unknown as { data: { get(id: object): { values: Float32Array } } }).data.get(t.dataId).values.buffer;

const itNative = it.skipIf(native === null);

itNative('a disposed output buffer is reused by the next output of its size class', async () => {
  await tf.setBackend('native');
  const x = ramp(0);
  const a = tf.relu(x);
  const buf = bufferOf(a);
  a.dispose();
  const b = tf.neg(x);
  expect(bufferOf(b)).toBe(buf);
  expect(b.dataSync()[5]).toBe(-5);
  tf.dispose([x, b]);
});

itNative('an array read out with dataSync() is never overwritten after its tensor is disposed', async () => {
  await tf.setBackend('native');
  const x = ramp(1);
  const a = tf.relu(x);
  const values = a.dataSync();
  a.dispose();
  const later = Array.from({ length: 4 }, () => tf.neg(x));
  expect(values[0]).toBe(1);
  expect(values[N - 1]).toBe(N);
  tf.dispose([x, ...later]);
});

itNative("a view of a pooled buffer (cpu Slice's subarray) keeps the buffer out of the pool", async () => {
  await tf.setBackend('native');
  const x = ramp(2);
  const a = tf.relu(x);
  const s = tf.slice(a, [N / 2], [N / 2]); // cpu Slice: a subarray view of a's buffer
  expect(bufferOf(s)).toBe(bufferOf(a));
  a.dispose();
  const later = Array.from({ length: 4 }, () => tf.neg(x));
  expect(later.every((t) => bufferOf(t) !== bufferOf(s))).toBe(true);
  expect(s.dataSync()[0]).toBe(N / 2 + 2);
  tf.dispose([x, s, ...later]);
});

itNative('a training loop keeps the pool bounded and every value right', async () => {
  await tf.setBackend('native');
  const w = tf.variable(tf.randomNormal([3, 3, 4, 8], 0, 0.1, 'float32', 1));
  const x = tf.randomNormal([8, 16, 16, 4], 0, 1, 'float32', 2);
  const loss = () => tf.mean(tf.square(tf.relu(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')))) as tf.Scalar;
  const opt = tf.train.sgd(0.1);
  const run = async (backend: string) => {
    await tf.setBackend(backend);
    w.assign(tf.tidy(() => tf.randomNormal([3, 3, 4, 8], 0, 0.1, 'float32', 1)));
    const out: number[] = [];
    for (let i = 0; i < 10; i++) out.push((opt.minimize(loss, true) as tf.Scalar).dataSync()[0] as number);
    return out;
  };
  const onCpu = await run('cpu');
  const onNative = await run('native');
  const first = outputPool.stats();
  await run('native');
  const again = outputPool.stats();
  expect(again.freeBytes).toBeLessThanOrEqual(first.freeBytes); // steady state: nothing new pooled
  onNative.forEach((v, i) => expect(v).toBeCloseTo(onCpu[i]!, 4));
  tf.dispose([w, x]);
});

it('size classes round up by at most 1/8', () => {
  for (const bytes of [16384, 16385, 100_000, 4_194_304, 4_194_305, 12_345_678]) {
    const c = BufferPool.sizeClass(bytes);
    expect(c).toBeGreaterThanOrEqual(bytes);
    expect(c / bytes).toBeLessThanOrEqual(1.125);
  }
});

it('capacity bounds the free lists; 0 turns pooling off', () => {
  const small = new BufferPool(1 << 20);
  const a = small.alloc(200_000); // 800 kB
  const b = small.alloc(200_000);
  small.retain(a);
  small.retain(b);
  small.release(a);
  small.release(b); // would exceed 1 MiB: left to the GC
  expect(small.stats()).toMatchObject({ freeBuffers: 1, liveBuffers: 0 });
  expect(small.alloc(200_000).buffer).toBe(a.buffer);
  const off = new BufferPool(0);
  const c = off.alloc(5000);
  off.retain(c);
  off.release(c);
  expect(off.stats().freeBuffers).toBe(0);
});

it('an empty size class takes the smallest free buffer up to twice its size, never a bigger one', () => {
  const pool = new BufferPool(1 << 30);
  const give = (floats: number) => {
    const a = pool.alloc(floats);
    pool.retain(a);
    pool.release(a);
    return a.buffer;
  };
  const big = give(300_000); // 1.2 MB
  const bigger = give(500_000); // 2 MB
  const hit = pool.alloc(200_000); // 0.8 MB: 1.2 MB is within 2×, and smaller than 2 MB
  expect(hit.buffer).toBe(big);
  expect(hit.length).toBe(200_000);
  expect(pool.alloc(200_000).buffer).not.toBe(bigger); // 2 MB is more than twice 0.8 MB
  expect(pool.stats()).toMatchObject({ hits: 1, misses: 3, freeBuffers: 1 });
});

it('ADAPTNET_NATIVE_POOL_MB: unset is 1 GiB, 0 is off, a bad value is a named error', () => {
  expect(poolCapacityFromEnv(undefined)).toBe(2 ** 30);
  expect(poolCapacityFromEnv('0')).toBe(0);
  expect(poolCapacityFromEnv('256')).toBe(256 * 2 ** 20);
  expect(() => poolCapacityFromEnv('lots')).toThrow(/ADAPTNET_NATIVE_POOL_MB="lots".*≥ 0/);
  expect(() => poolCapacityFromEnv('-5')).toThrow(/ADAPTNET_NATIVE_POOL_MB="-5"/);
});
