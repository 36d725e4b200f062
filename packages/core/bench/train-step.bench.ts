/**
 * Train-step benchmark of the foundation's small conv net (batch 64, 32×32×3, SGD momentum) on
 * every available backend, plus the same net in PyTorch (2 threads): ADAPTNET_PYTHON's (current
 * torch, the ratio) and Debian's python3-torch where installed (fixtures/torch-pythons.ts), each
 * reported with its version. Writes bench-results/train-step.json.
 *
 *   ADAPTNET_PYTHON=/work/venv-torch/bin/python pnpm --filter @adaptnet/core bench            # all backends
 *   BENCH_SECONDS=10 pnpm --filter @adaptnet/core bench
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { TinyConvNet, trainStep } from '../fixtures/tiny-convnet.js';
import { torchImgPerSec, torchPythons } from '../fixtures/torch-pythons.js';
import { BACKEND_PREFERENCE, type BackendChoice, initBackend } from '../src/node.js';

const here = dirname(fileURLToPath(import.meta.url));
const BATCH = 64;
const SIZE = 32;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

interface Row {
  backend: string;
  imgPerSec: number;
  msPerStep: number;
  gflops: number;
  steps: number;
  /** Versus ADAPTNET_PYTHON's PyTorch. */
  ratioToPytorch: number | null;
  /** Versus Debian's python3-torch, where installed. */
  ratioToDebianPytorch: number | null;
}

function measure(run: () => void): { steps: number; seconds: number } {
  run();
  run();
  let steps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000 || steps < 3) {
    run();
    steps++;
  }
  return { steps, seconds: (performance.now() - t0) / 1000 };
}

const model0 = new TinyConvNet(10, 0);
const forwardMacs = model0.cost([BATCH, SIZE, SIZE, 3], { config: { width: 1, resolution: SIZE }, training: true }).macs;
model0.dispose();
// A train step costs ~3 forward passes (forward, input gradient, weight gradient); 2 FLOPs per MAC.
const flopsPerStep = 3 * 2 * forwardMacs;

const pytorch = torchPythons().map((p) => ({
  ...p,
  imgPerSec: torchImgPerSec(p, join(here, 'torch_nets.py'), ['tiny', String(BATCH), String(SECONDS), String(SIZE)]),
}));
const torch = pytorch.find((p) => p.role === 'current')?.imgPerSec ?? null;
const debianTorch = pytorch.find((p) => p.role === 'debian')?.imgPerSec ?? null;
const rows: Row[] = [];
const wanted = (process.env.BENCH_BACKENDS?.split(',') ?? [...BACKEND_PREFERENCE]) as BackendChoice[];
for (const name of wanted) {
  let info: Awaited<ReturnType<typeof initBackend>>;
  try {
    info = await initBackend({ backend: name, log: false });
  } catch {
    continue;
  }
  const model = new TinyConvNet(10, 0);
  const opt = tf.train.momentum(0.05, 0.9);
  const x = tf.randomNormal([BATCH, SIZE, SIZE, 3], 0, 1, 'float32', 1);
  const y = tf.tensor1d(
    Array.from({ length: BATCH }, (_, i) => i % 10),
    'int32',
  );
  const { steps, seconds } = measure(() => trainStep(model, opt, x, y));
  const msPerStep = (1000 * seconds) / steps;
  const imgPerSec = (BATCH * steps) / seconds;
  rows.push({
    backend: info.name,
    imgPerSec: Math.round(imgPerSec),
    msPerStep: Number(msPerStep.toFixed(2)),
    gflops: Number(((flopsPerStep * steps) / seconds / 1e9).toFixed(2)),
    steps,
    ratioToPytorch: torch ? Number((imgPerSec / torch).toFixed(3)) : null,
    ratioToDebianPytorch: debianTorch ? Number((imgPerSec / debianTorch).toFixed(3)) : null,
  });
  console.log(
    `${info.name.padEnd(8)} ${imgPerSec.toFixed(0).padStart(6)} img/s  ${msPerStep.toFixed(1).padStart(7)} ms/step  ${rows.at(-1)?.gflops} GFLOP/s` +
      (torch ? `  ${(imgPerSec / torch).toFixed(2)}× PyTorch` : '') +
      (debianTorch ? `  ${(imgPerSec / debianTorch).toFixed(2)}× Debian's PyTorch` : ''),
  );
  tf.dispose([x, y]);
  opt.dispose();
  model.dispose();
}
for (const p of pytorch) {
  console.log(
    `pytorch  ${(p.imgPerSec ?? 0).toFixed(0).padStart(6)} img/s  (same net, 2 threads, torch ${p.torch}, ${p.role}: ${p.python})`,
  );
}

const result = {
  benchmark: 'core/train-step',
  net: 'TinyConvNet (3x3 conv16, dw3x3/2, 1x1 conv32, BN, ReLU, GAP, dense10)',
  batch: BATCH,
  input: [SIZE, SIZE, 3],
  forwardMacsPerBatch: forwardMacs,
  pytorch: pytorch.map((p) => ({ role: p.role, torch: p.torch, imgPerSec: p.imgPerSec && Math.round(p.imgPerSec), threads: 2 })),
  results: rows,
  date: new Date().toISOString(),
};
const outDir = join(here, '..', 'bench-results');
if (!existsSync(outDir)) mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'train-step.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(`wrote ${join(outDir, 'train-step.json')}`);
