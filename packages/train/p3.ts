import { createBackbone, MOBILENET_V1_FASHION_MNIST_BLOCKS } from '@adaptnet/backbones';
import { initBackend } from '@adaptnet/core';
import { BatchStream, FASHION_MNIST_NORMALIZE, loadFashionMnist } from '@adaptnet/data';
import * as tf from '@tensorflow/tfjs-core';
import { normOptionsFor, parseTrainConfig, Trainer } from './src/index.js';

await initBackend({ log: false });
const data = await loadFashionMnist({ split: 'train' });
const stream = new BatchStream(data, {
  batchSize: 64,
  augment: { kind: 'pad-crop', padding: 2, flip: true },
  normalize: FASHION_MNIST_NORMALIZE,
});
const strategy = process.argv[2] ?? 'usnet';
const config = parseTrainConfig({ strategy, resolutions: [28], epochs: 1, batchSize: 64, checkpointEvery: 0, widthStep: 0.25 });
const model = createBackbone('mobilenet-v1', {
  input: 'small',
  inChannels: 1,
  numClasses: 10,
  blocks: MOBILENET_V1_FASHION_MNIST_BLOCKS,
  norm: normOptionsFor(config),
});
const t = new Trainer({ model, config, data: stream, progress: 'none' });
await t.fit({ stopAtStep: 6 });
const it = stream.epoch(0);
const batch = (await it.next()).value;
const agg = new Map<string, { ms: number; n: number }>();
let total = 0;
for (let k = 0; k < 4; k++) {
  const t0 = performance.now();
  const info = await tf.profile(() => {
    t.trainStep(batch);
  });
  total += performance.now() - t0;
  for (const kern of info.kernels) {
    const a = agg.get(kern.name) ?? { ms: 0, n: 0 };
    a.ms += (kern.kernelTimeMs as number) / 4;
    a.n += 1 / 4;
    agg.set(kern.name, a);
  }
}
const rows = [...agg].sort((a, b) => b[1].ms - a[1].ms);
console.log('wall ms/step (profiled)', (total / 4).toFixed(0), 'kernel ms', rows.reduce((s, r) => s + r[1].ms, 0).toFixed(0));
for (const [n, a] of rows.slice(0, 22))
  console.log(n.padEnd(28), a.ms.toFixed(1).padStart(7), 'ms', String(Math.round(a.n)).padStart(5), 'calls');
