/**
 * Smoke run of the foundation on real data: trains the small conv net on Fashion-MNIST for a few
 * hundred steps on the best backend and prints the backend, the loss and test accuracy.
 * (The MutualNet main job replaces this once apps/classify lands.)
 *
 *   pnpm demo                         # from the repository root
 *   SMOKE_STEPS=100 ADAPTNET_BACKEND=cpu pnpm demo
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { TinyConvNet, trainStep } from '../fixtures/tiny-convnet.js';
import { Rng } from '../src/index.js';
import { initBackend } from '../src/node.js';

const DATA_DIR = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
const STEPS = Number(process.env.SMOKE_STEPS ?? 300);
const BATCH = 64;
const MEAN = 0.286;
const STD = 0.353;

/** Minimal IDX reader for the smoke run; @adaptnet/data will own dataset loading. */
function readIdx(file: string): { dims: number[]; data: Uint8Array } {
  const path = join(DATA_DIR, file);
  if (!existsSync(path)) {
    throw new Error(
      `Fashion-MNIST not found: ${path} is missing. Install it with: sudo apt-get install dataset-fashion-mnist (or set FASHION_MNIST_DIR)`,
    );
  }
  const buf = gunzipSync(readFileSync(path));
  const rank = buf[3] as number;
  const dims = Array.from({ length: rank }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  return {
    dims,
    data: new Uint8Array(
      buf.buffer,
      buf.byteOffset + 4 + 4 * rank,
      dims.reduce((a, b) => a * b, 1),
    ),
  };
}

function batchOf(images: Uint8Array, labels: Uint8Array, idx: number[]): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const px = new Float32Array(idx.length * 784);
  idx.forEach((j, i) => {
    for (let p = 0; p < 784; p++) px[i * 784 + p] = ((images[j * 784 + p] as number) / 255 - MEAN) / STD;
  });
  return {
    x: tf.tensor4d(px, [idx.length, 28, 28, 1]),
    y: tf.tensor1d(
      Int32Array.from(idx, (j) => labels[j] as number),
      'int32',
    ),
  };
}

const info = await initBackend();
const train = { images: readIdx('train-images-idx3-ubyte.gz').data, labels: readIdx('train-labels-idx1-ubyte.gz').data };
const test = { images: readIdx('t10k-images-idx3-ubyte.gz').data, labels: readIdx('t10k-labels-idx1-ubyte.gz').data };
console.log(`Fashion-MNIST: ${train.labels.length} train / ${test.labels.length} test images from ${DATA_DIR}`);

const rng = new Rng(0);
const order = rng.shuffle(Array.from({ length: train.labels.length }, (_, i) => i));
const model = new TinyConvNet(10, 0, 1);
const opt = tf.train.momentum(0.05, 0.9, true);
const t0 = performance.now();
let running = 0;
for (let step = 1; step <= STEPS; step++) {
  const start = ((step - 1) * BATCH) % (order.length - BATCH);
  const { x, y } = batchOf(train.images, train.labels, order.slice(start, start + BATCH));
  const loss = trainStep(model, opt, x, y);
  tf.dispose([x, y]);
  if (!Number.isFinite(loss)) throw new Error(`loss became ${loss} at step ${step}`);
  running = step === 1 ? loss : 0.9 * running + 0.1 * loss;
  if (step % 50 === 0 || step === 1 || step === STEPS) {
    const secs = (performance.now() - t0) / 1000;
    console.log(`step ${String(step).padStart(4)}/${STEPS}  loss ${running.toFixed(4)}  ${((step * BATCH) / secs).toFixed(0)} img/s`);
  }
}

let correct = 0;
for (let start = 0; start < test.labels.length; start += 500) {
  const idx = Array.from({ length: Math.min(500, test.labels.length - start) }, (_, i) => start + i);
  const { x, y } = batchOf(test.images, test.labels, idx);
  correct += tf.tidy(() => {
    const logits = model.forward(x, { config: { width: 1, resolution: 28 }, training: false });
    return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'int32')).dataSync()[0] as number;
  });
  tf.dispose([x, y]);
}
console.log(
  `backend ${info.name}: test accuracy ${((100 * correct) / test.labels.length).toFixed(2)}% after ${STEPS} steps of batch ${BATCH}`,
);
model.dispose();
opt.dispose();
