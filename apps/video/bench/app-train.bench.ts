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
 * (native where built). The two sides alternate blocks of BENCH_BLOCK steps (default 16, the
 * checkpoint period; each block of ours ends with a checkpoint), so both see the same moments of
 * a shared machine's load.
 * PyTorch (ADAPTNET_PYTHON, 2 threads, torch_app_train.py): the same network, the same steps on
 * the same inputs: every step's clips at the full configuration and at each sub-network's size and
 * frames, as our stream made them (same seed, same sampler draws), exported to a raw float32 file
 * first, read into memory before the clock starts (the trainer's metrics log must name the same
 * configurations at every step, or the bench stops). Before timing, PyTorch's parameter count and
 * conv + linear multiply-adds at every configuration the epoch runs must equal ours, or the bench
 * stops. Writes bench-results/video-app-train.json: seconds per epoch and clips/s of both, ratio.
 *
 *   ADAPTNET_PYTHON=/work/venv-torch/bin/python pnpm --filter @adaptnet/video bench:video-app
 *   BENCH_STEPS=8 BENCH_BLOCK=4 BENCH_ORDER=pytorch-first ...   (8 steps in blocks of 4, PyTorch first in each)
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
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

interface TorchHello {
  torch: string;
  threads: number;
  params: number;
  macs: number[];
}

/** PyTorch's side (torch_app_train.py): one process; `block(k)` times its next k steps. */
async function startTorch(): Promise<{ hello: TorchHello; block: (k: number) => Promise<number>; close: () => void } | null> {
  const python = process.env.ADAPTNET_PYTHON;
  if (!python) {
    console.warn('[bench] ADAPTNET_PYTHON is not set (a Python with torch==2.13.0+cpu): no PyTorch ratio');
    return null;
  }
  const p = spawn(python, [TORCH_SCRIPT, join(work, 'spec.json'), dataFile]);
  let stderr = '';
  p.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const lines = createInterface({ input: p.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const r = await lines.next();
    if (r.done) throw new Error(`${python} ${TORCH_SCRIPT} stopped: ${stderr.trim().split('\n').pop()}`);
    return r.value;
  };
  const hello = JSON.parse(await next()) as TorchHello;
  if (hello.params !== params) throw new Error(`PyTorch has ${hello.params} parameters, ours ${params}`);
  const want = steps.flatMap((s) => s.configs.map((c) => c.macs));
  const i = hello.macs.findIndex((m, k) => m !== want[k]);
  if (hello.macs.length !== want.length || i >= 0)
    throw new Error(`configuration ${i}: PyTorch counts ${hello.macs[i]} conv + linear MACs per clip, ours ${want[i]}`);
  return {
    hello,
    block: async (k) => {
      p.stdin.write(`run ${k}\n`);
      return (JSON.parse(await next()) as { seconds: number }).seconds;
    },
    close: () => p.stdin.end('quit\n'),
  };
}

const BLOCK = Number(process.env.BENCH_BLOCK ?? t.checkpointEvery);
if (!Number.isInteger(BLOCK) || BLOCK < 1) throw new Error(`BENCH_BLOCK must be a positive integer, got ${process.env.BENCH_BLOCK}`);
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
// Blocks of BLOCK steps alternate between the two sides (each fit() call ends with a checkpoint,
// as the app's loop does every checkpointEvery steps), so both sample the same moments of a
// shared machine's load; ratio: total time, and the median of the blocks' ratios.
const blocks: { steps: number; ours: number; pytorch: number | null }[] = [];
let torch: Awaited<ReturnType<typeof startTorch>> = null;
try {
  torch = await startTorch();
  for (let done = 0; done < STEPS; ) {
    const k = Math.min(BLOCK, STEPS - done);
    const timeOurs = async () => {
      const t0 = performance.now();
      const s: TrainSummary = await trainer.fit({ stopAtStep: done + k });
      if (s.steps !== k) throw new Error(`trained ${s.steps} steps, expected ${k}`);
      return (performance.now() - t0) / 1000;
    };
    let o: number;
    let pt: number | null = null;
    if (PYTORCH_FIRST) {
      pt = torch ? await torch.block(k) : null;
      o = await timeOurs();
    } else {
      o = await timeOurs();
      pt = torch ? await torch.block(k) : null;
    }
    blocks.push({ steps: k, ours: o, pytorch: pt });
    done += k;
  }
  // The trainer's own log of each step's configurations must be the ones PyTorch got.
  const logged = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { step: number; configs: string[] });
  for (const m of logged) {
    const want = steps[m.step - 1]?.configs.map((c) => configKey(c)).join(' ');
    if (m.configs.join(' ') !== want) throw new Error(`step ${m.step}: the trainer ran ${m.configs.join(' ')}, PyTorch got ${want}`);
  }
  if (logged.length !== STEPS) throw new Error(`metrics.jsonl has ${logged.length} steps, expected ${STEPS}`);
} finally {
  torch?.close();
  trainer.dispose();
  model.dispose();
  rmSync(work, { recursive: true, force: true });
}
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? (v[m] as number) : ((v[m - 1] as number) + (v[m] as number)) / 2;
};
const oursSeconds = sum(blocks.map((b) => b.ours));
const torchSeconds = torch ? sum(blocks.map((b) => b.pytorch ?? 0)) : null;
const r2 = (v: number) => Number(v.toFixed(2));
const perEpoch = (seconds: number) => (seconds / STEPS) * stream.batchesPerEpoch;
const clips = STEPS * t.batchSize;
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
  verifiedAgainstPytorch: torch ? { params, configurations: steps.reduce((n, s) => n + s.configs.length, 0) } : null,
  ours: { backend, secondsPerEpoch: r2(perEpoch(oursSeconds)), clipsPerSec: r2(clips / oursSeconds) },
  pytorch:
    torch && torchSeconds !== null
      ? {
          torch: torch.hello.torch,
          threads: torch.hello.threads,
          secondsPerEpoch: r2(perEpoch(torchSeconds)),
          clipsPerSec: r2(clips / torchSeconds),
        }
      : null,
  ratioToPytorch: torchSeconds !== null ? r2(torchSeconds / oursSeconds) : null,
  blockRatioMedian: torch ? r2(median(blocks.map((b) => (b.pytorch as number) / b.ours))) : null,
  stepsPerBlock: BLOCK,
  blocks: blocks.map((b) => ({ steps: b.steps, oursSeconds: r2(b.ours), pytorchSeconds: b.pytorch === null ? null : r2(b.pytorch) })),
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
      ? `  PyTorch ${result.pytorch.torch} ${result.pytorch.secondsPerEpoch} s/epoch ${result.pytorch.clipsPerSec} clips/s  ratio ${result.ratioToPytorch}× (median of blocks ${result.blockRatioMedian}×)`
      : ''),
);
console.log(`wrote ${file}`);
tf.disposeVariables();
