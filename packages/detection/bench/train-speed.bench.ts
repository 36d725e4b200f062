/**
 * Training speed of the detector against the same network in PyTorch, same machine, same run:
 * one full-width training step (forward, FCOS loss, backward, SGD with Nesterov momentum) on the
 * same batch shape and the same targets (computed here, handed to bench/torch_fcos.py). Prints and
 * writes bench-results/train-speed.json: ms per step (median), the ratio, both parameter counts
 * (equal when the two networks are the same).
 *
 *   ADAPTNET_PYTHON=/work/venv-torch/bin/python pnpm --filter @adaptnet/detection bench
 *
 * Environment: BENCH_BATCH (8), BENCH_SIZE (shorter side, 128), BENCH_STEPS (10), BENCH_BACKEND
 * (native, falling back to cpu), BENCH_THREADS (PyTorch threads, 2).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MOBILENET_V1_FASHION_MNIST_BLOCKS } from '@adaptnet/backbones';
import { Rng } from '@adaptnet/core';
import { initBackend } from '@adaptnet/core/node';
import { parseTrainConfig, Trainer } from '@adaptnet/train';
import { createDetectionStrategy, DetectionBatch, DetectionData, type DetectionSample, Detector, type DetectorSpec } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const BATCH = Number(process.env.BENCH_BATCH ?? 8);
const SIZE = Number(process.env.BENCH_SIZE ?? 128);
const STEPS = Number(process.env.BENCH_STEPS ?? 10);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const python = [process.env.ADAPTNET_PYTHON, '/usr/bin/python3'].find((p): p is string => !!p && existsSync(p));

const backend = await initBackend({ backend: (process.env.BENCH_BACKEND ?? 'native') as 'native', log: false }).catch(() =>
  initBackend({ backend: 'cpu', log: false }),
);

const blocks = MOBILENET_V1_FASHION_MNIST_BLOCKS.map(([c, s]) => [c, s] as [number, number]);
const spec: DetectorSpec = {
  format: 'adaptnet-detector',
  version: 1,
  backbone: {
    architecture: 'mobilenet-v1',
    options: { inChannels: 1, input: 'imagenet', widthRange: { min: 0.25, max: 1 }, blocks },
    norm: { policy: 'config' },
  },
  numClasses: 10,
  channels: 64,
  headConvs: 2,
  normalize: { mean: [0.286], std: [0.353] },
};
const detector = new Detector(spec);

// Square grey images with 1–4 random boxes each.
const rng = new Rng(1);
const samples: DetectionSample[] = Array.from({ length: BATCH }, (_, i) => {
  const pixels = new Uint8Array(SIZE * SIZE).map(() => rng.int(256));
  const objects = Array.from({ length: 1 + rng.int(4) }, () => {
    const s = 12 + rng.int(SIZE / 2);
    const x = rng.int(SIZE - s);
    const y = rng.int(SIZE - s);
    return { box: [x, y, x + s, y + s] as const, label: rng.int(10) };
  });
  return { imageId: i + 1, pixels, width: SIZE, height: SIZE, channels: 1, objects };
});
const config = parseTrainConfig({
  strategy: 'individual',
  width: 1,
  resolutions: [SIZE],
  epochs: 1000,
  batchSize: BATCH,
  optimizer: { lr: 0.01, weightDecay: 0 },
});
const data = new DetectionData(samples, { batchSize: BATCH, normalize: spec.normalize });
const trainer = new Trainer({ model: detector, config, data, strategy: createDetectionStrategy(config, detector), progress: 'none' });
const batch = new DetectionBatch(samples, { normalize: spec.normalize });
const ctx = { config: { width: 1, resolution: SIZE }, training: true };
const x = batch.images(SIZE);
const levels = detector.levelShapes(x.shape, ctx);
const targets = batch.targets(SIZE, levels);

const times: number[] = [];
let firstLoss = 0;
for (let i = 0; i < 2 + STEPS; i++) {
  const t0 = performance.now();
  const r = trainer.trainStep(batch);
  if (i === 0) firstLoss = r.loss;
  if (i >= 2) times.push(performance.now() - t0);
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] as number;
const tfjs = { backend: backend.name, msPerStep: median(times), params: detector.parameterCount(), firstLoss };

let torch: { params: number; firstLoss: number; msPerStep: number; torch: string } | undefined;
if (python) {
  const probe = { config: { width: 1, resolution: SIZE }, training: false };
  const job = {
    inChannels: 1,
    stemChannels: 32,
    stemStride: 2,
    blocks,
    stages: 3,
    stageChannels: detector.backbone
      .stageShapes(x.shape, probe)
      .slice(-3)
      .map((s) => s[3]),
    channels: 64,
    headConvs: 2,
    groups: 8,
    extraLevels: 1,
    numClasses: 10,
    input: x.shape,
    labels: targets.flatMap((t) => Array.from(t.labels)),
    ltrb: targets.flatMap((t) => Array.from(t.ltrb)),
    ctr: targets.flatMap((t) => Array.from(t.centerness)),
    steps: STEPS,
    warmup: 2,
    threads: THREADS,
  };
  const file = join(tmpdir(), `torch-fcos-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(job));
  torch = JSON.parse(
    execFileSync(python, [join(here, 'torch_fcos.py'), file], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop() as string,
  );
}
const result = {
  batch: BATCH,
  input: x.shape,
  levels,
  tfjs,
  ...(torch ? { torch, ratio: tfjs.msPerStep / torch.msPerStep } : { torch: 'skipped: no Python (set ADAPTNET_PYTHON)' }),
};
console.log(JSON.stringify(result, null, 2));
mkdirSync(join(here, '..', 'bench-results'), { recursive: true });
writeFileSync(join(here, '..', 'bench-results', 'train-speed.json'), `${JSON.stringify(result, null, 2)}\n`);
batch.dispose();
trainer.dispose();
detector.dispose();
