/**
 * The app's default training loop against the same loop in PyTorch, in the same run: what
 * `adaptnet-video train` with no options trains (MutualNet on the small Slow, 1,000 moving-actions
 * clips at 64 px, batches of 16, the full network at width 1 / 24 px / 6 frames on the labels + two
 * random sub-networks (width U[0.63, 1), size 24/16/12, frames 6/4/2) by KL to its detached
 * logits, SGD nesterov momentum 0.9, weight decay 5e-5 on conv weights, lr 0.05 cosine over the
 * 3 epochs of 62 steps): its first BENCH_STEPS (default 62, one epoch) steps. Time per epoch is
 * seconds per step × 62.
 *
 * Ours: the app's Trainer as `trainCommand` sets it up (its data stream and augmentation, a
 * checkpoint every 16 steps, metrics log; no evaluation) on the backend `initBackend` picks
 * (native where built), stopped after BENCH_STEPS steps; the trainer's own step timer.
 * PyTorch (ADAPTNET_PYTHON, 2 threads, torch_app_train.py): the same network, the same steps on
 * the same inputs: every step's clips at the full configuration and at each sub-network's size and
 * frames, as our stream made them (same seed, same sampler draws), exported to a raw float32 file
 * first, read into memory before the clock starts (the trainer's metrics log must name the same
 * configurations at every step, or the bench stops). Before timing, PyTorch's parameter count and
 * conv + linear multiply-adds at every configuration the epoch runs must equal ours, or the bench
 * stops. Writes bench-results/video-app-train.json: seconds per epoch and clips/s of both, ratio.
 *
 *   ADAPTNET_PYTHON=/work/venv-torch/bin/python pnpm --filter @adaptnet/video bench:video-app
 *   BENCH_STEPS=16 BENCH_ORDER=pytorch-first ...   (16 steps; PyTorch runs first, default ours first)
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configKey, type SubnetConfig } from '@adaptnet/core';
import { initBackend } from '@adaptnet/core/node';
import { createStrategy, inputSizeOf, learningRate, Trainer, type TrainSummary } from '@adaptnet/train';
import * as tf from '@tensorflow/tfjs-core';
import { prepareRun } from '../src/commands/train.js';
import { trainStream } from '../src/data.js';
import { architectureId, buildModel, modelSpecOf } from '../src/model.js';

const here = dirname(fileURLToPath(import.meta.url));
const TORCH_SCRIPT = join(here, 'torch_app_train.py');
const PYTORCH_FIRST = process.env.BENCH_ORDER === 'pytorch-first';

const { manifest, train } = await prepareRun({});
const backend = (await initBackend({ log: false })).name;
const model = buildModel(manifest);
const stream = trainStream(train, manifest.data, manifest.train.batchSize, manifest.train.seed);
// As trainCommand: a checkpoint every quarter epoch.
const t = { ...manifest.train, checkpointEvery: Math.min(500, Math.max(1, Math.ceil(stream.batchesPerEpoch / 4))) };
const scheduleSteps = t.epochs * stream.batchesPerEpoch;
const STEPS = Number(process.env.BENCH_STEPS ?? stream.batchesPerEpoch);
if (!Number.isInteger(STEPS) || STEPS < 1 || STEPS > scheduleSteps)
  throw new Error(`BENCH_STEPS must be an integer in [1, ${scheduleSteps}], got ${process.env.BENCH_STEPS}`);

// Conv + linear multiply-adds per clip (the global pools are left out, as PyTorch's flop counter does).
const macsOf = (c: SubnetConfig): number => {
  const s = inputSizeOf(model, c);
  return model
    .cost([1, s.frames ?? manifest.data.clipFrames, s.resolution, s.resolution, manifest.model.inChannels], { config: c, training: true })
    .layers.filter((l) => l.kind !== 'global-avg-pool')
    .reduce((sum, l) => sum + l.macs, 0);
};
const params = model.trainableVariables().reduce((s, v) => s + v.size, 0);

// The inputs of every step, in the order the trainer will draw them (a fresh strategy, same seed).
const work = mkdtempSync(join(tmpdir(), 'adaptnet-video-app-bench-'));
const dataFile = join(work, 'inputs.f32');
const out = createWriteStream(dataFile);
const write = (a: Float32Array | Int32Array) =>
  new Promise<void>((r) => (out.write(Buffer.from(a.buffer, a.byteOffset, a.byteLength)) ? r() : out.once('drain', r)));
const strategy = createStrategy(t, model);
const steps: { configs: (SubnetConfig & { macs: number })[]; lr: number }[] = [];
for (let e = 0; steps.length < STEPS; e++) {
  for await (const batch of stream.epoch(e)) {
    if (steps.length === STEPS) {
      batch.dispose();
      continue;
    }
    const configs = strategy.sampler.next();
    await write(batch.labels.dataSync() as Int32Array);
    for (const c of configs) await write(batch.inputs(inputSizeOf(model, c)).dataSync() as Float32Array);
    batch.dispose();
    const step = steps.length;
    const lr = learningRate(step, {
      kind: t.schedule.kind,
      baseLr: t.optimizer.lr,
      finalLr: t.schedule.finalLr,
      warmupSteps: t.schedule.warmupSteps,
      totalSteps: scheduleSteps,
    });
    steps.push({ configs: configs.map((c) => ({ ...c, macs: macsOf(c) })), lr });
  }
}
await new Promise<void>((r) => out.end(r));
strategy.dispose();

const spec = {
  batch: t.batchSize,
  inChannels: manifest.model.inChannels,
  numClasses: manifest.model.numClasses,
  momentum: t.optimizer.momentum,
  nesterov: t.optimizer.nesterov,
  weightDecay: t.optimizer.weightDecay,
  decayConvWeights: t.optimizer.decay.conv,
  steps,
};
writeFileSync(join(work, 'spec.json'), JSON.stringify(spec));

interface TorchResult {
  torch: string;
  threads: number;
  params: number;
  macs: number[];
  seconds: number;
  clipsPerSec: number;
  lastLoss: number;
}

function runTorch(): Promise<TorchResult | null> {
  const python = process.env.ADAPTNET_PYTHON;
  if (!python) {
    console.warn('[bench] ADAPTNET_PYTHON is not set (a Python with torch==2.13.0+cpu): no PyTorch ratio');
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const p = spawn(python, [TORCH_SCRIPT, join(work, 'spec.json'), dataFile]);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${python} ${TORCH_SCRIPT} exited ${code}: ${stderr.trim().split('\n').pop()}`));
      const r = JSON.parse(stdout.trim().split('\n').pop() as string) as TorchResult;
      if (r.params !== params) return reject(new Error(`PyTorch has ${r.params} parameters, ours ${params}`));
      const ours = steps.flatMap((s) => s.configs.map((c) => c.macs));
      const i = r.macs.findIndex((m, k) => m !== ours[k]);
      if (r.macs.length !== ours.length || i >= 0)
        return reject(new Error(`configuration ${i}: PyTorch counts ${r.macs[i]} conv + linear MACs per clip, ours ${ours[i]}`));
      resolve(r);
    });
  });
}

async function runOurs(): Promise<{ seconds: number; clipsPerSec: number }> {
  const dir = join(work, 'run');
  const trainer = new Trainer({
    model,
    config: t,
    data: trainStream(train, manifest.data, t.batchSize, t.seed),
    outDir: dir,
    architecture: architectureId(manifest.model),
    spec: modelSpecOf(manifest),
    progress: 'none',
    log: () => {},
  });
  let s: TrainSummary;
  try {
    s = await trainer.fit({ stopAtStep: STEPS });
  } finally {
    trainer.dispose();
  }
  if (s.steps !== STEPS) throw new Error(`trained ${s.steps} steps, expected ${STEPS}`);
  // The trainer's own log of each step's configurations must be the ones PyTorch gets.
  const logged = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { step: number; configs: string[] });
  for (const m of logged) {
    const want = steps[m.step - 1]?.configs.map((c) => configKey(c)).join(' ');
    if (m.configs.join(' ') !== want) throw new Error(`step ${m.step}: the trainer ran ${m.configs.join(' ')}, PyTorch gets ${want}`);
  }
  if (logged.length !== STEPS) throw new Error(`metrics.jsonl has ${logged.length} steps, expected ${STEPS}`);
  return { seconds: s.seconds, clipsPerSec: s.imagesPerSecond };
}

let torchRun: TorchResult | null;
let ours: { seconds: number; clipsPerSec: number };
try {
  if (PYTORCH_FIRST) {
    torchRun = await runTorch();
    ours = await runOurs();
  } else {
    ours = await runOurs();
    torchRun = await runTorch();
  }
} finally {
  model.dispose();
  rmSync(work, { recursive: true, force: true });
}
const r2 = (v: number) => Number(v.toFixed(2));
const perEpoch = (seconds: number) => (seconds / STEPS) * stream.batchesPerEpoch;
const result = {
  benchmark: 'video/app-train',
  loop: {
    command: 'adaptnet-video train (defaults)',
    architecture: manifest.model.architecture,
    strategy: t.strategy,
    batchSize: t.batchSize,
    stepsPerEpoch: stream.batchesPerEpoch,
    stepsTimed: STEPS,
    full: steps[0]?.configs[0],
    resolutions: t.resolutions,
    frames: t.frames,
    widthRange: manifest.model.widthRange,
  },
  verifiedAgainstPytorch: torchRun ? { params, configurations: steps.reduce((n, s) => n + s.configs.length, 0) } : null,
  ours: { backend, secondsPerEpoch: r2(perEpoch(ours.seconds)), clipsPerSec: r2(ours.clipsPerSec) },
  pytorch: torchRun
    ? {
        torch: torchRun.torch,
        threads: torchRun.threads,
        secondsPerEpoch: r2(perEpoch(torchRun.seconds)),
        clipsPerSec: r2(torchRun.clipsPerSec),
      }
    : null,
  ratioToPytorch: torchRun ? r2(ours.clipsPerSec / torchRun.clipsPerSec) : null,
  order: PYTORCH_FIRST ? 'pytorch first' : 'ours first',
  date: new Date().toISOString(),
};
const outDir = join(here, '..', 'bench-results');
if (!existsSync(outDir)) mkdirSync(outDir, { recursive: true });
const file = join(outDir, 'video-app-train.json');
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(
  `adaptnet-video train (defaults, ${STEPS} steps): ${backend} ${result.ours.secondsPerEpoch} s/epoch ${result.ours.clipsPerSec} clips/s` +
    (result.pytorch
      ? `  PyTorch ${result.pytorch.torch} ${result.pytorch.secondsPerEpoch} s/epoch ${result.pytorch.clipsPerSec} clips/s  ratio ${result.ratioToPytorch}×`
      : ''),
);
console.log(`wrote ${file}`);
tf.disposeVariables();
