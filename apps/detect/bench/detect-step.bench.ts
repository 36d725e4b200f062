/**
 * bench:detect — one training step of adaptnet-detect's default detector against the same detector
 * in PyTorch, side by side in the same run. The detector is `train`'s default (mobilenet-v1-fashion
 * with the ImageNet stem, 32-channel FPN P3–P6, FCOS head with one conv + GroupNorm per tower, 10
 * classes, 1 channel) on its default batch of 8 at its default sizes; the images are square 64-px
 * grey scenes with 1–4 boxes, rendered by DetectionBatch at each size as in training. Variants:
 *   full      the full configuration (width 1, size 64) through the Trainer: forward, FCOS loss,
 *             backward, SGD with Nesterov momentum 0.9 (lr 0.01, no weight decay, both sides)
 *   sandwich  one MutualNet detection iteration of the default recipe ([max, min, 2 random]
 *             widths, the smaller ones at sizes drawn from 64/48/32, every one on the ground
 *             truth, gradients summed, one update), replaying the same BENCH_PAIRS iterations
 *             of the seeded sampler on both sides
 * PyTorch (bench/torch_detect.py, BENCH_TORCH_THREADS threads, default 2; the native backend's are
 * ADAPTNET_NATIVE_THREADS, default the cores) gets the configurations, each one's active backbone
 * channels, input batch and FCOS targets from here; before timing, its parameter count and its conv
 * multiply-adds at every configuration (torch.utils.flop_counter) must equal ours (`cost()`), or the
 * bench stops. Rounds of BENCH_SECONDS (default 3, at least one step) alternate between the two,
 * BENCH_ROUNDS (default 5) each. Reported: images/s (median), their ratio (ours / PyTorch; below 1
 * is slower), and the median of the same-round ratios. Writes bench-results/detect-step.json.
 *
 *   ADAPTNET_PYTHON=/work/venv-torch/bin/python pnpm --filter @adaptnet/detect bench:detect
 *   BENCH_VARIANTS=full BENCH_SECONDS=2 BENCH_ROUNDS=3 BENCH_BACKEND=cpu BENCH_OUT=x.json
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { MOBILENET_V1_FASHION_MNIST_BLOCKS } from '@adaptnet/backbones';
import { configKey, Rng, type SubnetConfig } from '@adaptnet/core';
import { initBackend } from '@adaptnet/core/node';
import {
  createDetectionStrategy,
  DetectionBatch,
  DetectionData,
  type DetectionSample,
  type DetectionStrategy,
  Detector,
} from '@adaptnet/detection';
import { parseTrainConfig, Trainer, type TrainingStrategy } from '@adaptnet/train';
import { DEFAULT_RECIPE } from '../src/commands/train.js';
import { detectorSpecFor } from '../src/model.js';

const here = dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 8);
const VARIANTS = process.env.BENCH_VARIANTS?.split(',') ?? ['full', 'sandwich'];
const BACKEND = (process.env.BENCH_BACKEND ?? 'native') as 'native' | 'cpu' | 'wasm';
const THREADS = Number(process.env.BENCH_TORCH_THREADS ?? 2);
const python = process.env.ADAPTNET_PYTHON;
for (const v of VARIANTS)
  if (v !== 'full' && v !== 'sandwich') throw new Error(`BENCH_VARIANTS: unknown variant '${v}' (known: full, sandwich)`);

const backend = await initBackend({ backend: BACKEND, log: false });
const SIZE = Math.max(...DEFAULT_RECIPE.resolutions);
const BATCH = DEFAULT_RECIPE.batchSize;
const train = parseTrainConfig({
  strategy: DEFAULT_RECIPE.strategy,
  resolutions: [...DEFAULT_RECIPE.resolutions],
  epochs: 1000,
  batchSize: BATCH,
  seed: 1,
  optimizer: { lr: 0.01, weightDecay: 0 },
  schedule: { kind: 'constant' },
});
const spec = detectorSpecFor(
  { backbone: 'mobilenet-v1-fashion', inChannels: 1, numClasses: 10, widthRange: { min: 0.25, max: 1 }, seed: 1 },
  train,
);

function samples(): DetectionSample[] {
  const rng = new Rng(1);
  return Array.from({ length: BATCH }, (_, i) => {
    const pixels = new Uint8Array(SIZE * SIZE).map(() => rng.int(256));
    const objects = Array.from({ length: 1 + rng.int(4) }, () => {
      const s = 12 + rng.int(SIZE / 2);
      const x = rng.int(SIZE - s);
      const y = rng.int(SIZE - s);
      return { box: [x, y, x + s, y + s] as const, label: rng.int(10) };
    });
    return { imageId: i + 1, pixels, width: SIZE, height: SIZE, channels: 1, objects };
  });
}

/** The strategy with its sampler replaced by one cycling through `iterations`. */
function replaying(base: DetectionStrategy, iterations: readonly SubnetConfig[][]): TrainingStrategy {
  let i = 0;
  return {
    name: base.name,
    extraParameters: base.extraParameters,
    sampler: { next: () => iterations[i++ % iterations.length] as SubnetConfig[], state: () => null, setState: () => {} },
    gradients: (m, b, c, p) => base.gradients(m, b, c, p),
    subnetLabel: (k, c) => base.subnetLabel(k, c),
    dispose: () => base.dispose(),
  };
}

interface TorchLine {
  imagesPerSec: number;
  params: number;
  macs: (number | null)[];
  torch: string;
  threads: number;
}

/** One PyTorch process serving timed rounds on request. */
class TorchServer {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private waiting: ((line: string | null) => void) | null = null;
  private closed = false;
  stderr = '';

  constructor(py: string, jobFile: string) {
    this.proc = spawn(py, [join(here, 'torch_detect.py'), jobFile]);
    this.proc.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-2000);
    });
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w(line);
      } else this.lines.push(line);
    });
    this.proc.on('close', () => {
      this.closed = true;
      this.waiting?.(null);
    });
  }

  async next(): Promise<TorchLine | null> {
    const line =
      this.lines.shift() ??
      (this.closed
        ? null
        : await new Promise<string | null>((r) => {
            this.waiting = r;
          }));
    return line ? (JSON.parse(line) as TorchLine) : null;
  }

  round(seconds: number): Promise<TorchLine | null> {
    if (this.closed) return Promise.resolve(null);
    this.proc.stdin.write(`run ${seconds}\n`);
    return this.next();
  }

  close(): void {
    if (!this.closed) this.proc.stdin.end('quit\n');
  }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const round3 = (v: number) => Number(v.toFixed(3));

const results: object[] = [];
const outFile = join(here, '..', 'bench-results', process.env.BENCH_OUT ?? 'detect-step.json');
function writeResults(): void {
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(
    outFile,
    `${JSON.stringify(
      {
        benchmark: 'apps/detect/detect-step',
        detector: spec,
        batch: BATCH,
        sizes: DEFAULT_RECIPE.resolutions,
        backend: backend.name,
        torchThreads: THREADS,
        secondsPerRound: SECONDS,
        rounds: ROUNDS,
        results,
        date: new Date().toISOString(),
      },
      null,
      2,
    )}\n`,
  );
}

for (const variant of VARIANTS) {
  const detector = new Detector(spec);
  const data = new DetectionData(samples(), { batchSize: BATCH, normalize: spec.normalize });
  const batch = new DetectionBatch(samples(), { normalize: spec.normalize });
  const full: SubnetConfig = { width: 1, resolution: SIZE };
  const config = variant === 'full' ? { ...train, strategy: 'individual' as const, width: 1, resolution: SIZE } : train;
  let iterations: SubnetConfig[][];
  let strategy: TrainingStrategy;
  if (variant === 'full') {
    iterations = [[full]];
    strategy = replaying(createDetectionStrategy(config, detector), iterations);
  } else {
    const draw = createDetectionStrategy(train, detector);
    iterations = Array.from({ length: PAIRS }, () => draw.sampler.next());
    strategy = replaying(createDetectionStrategy(train, detector), iterations);
  }
  const configs = [...new Map(iterations.flat().map((c) => [configKey(c), c])).values()];
  const index = new Map(configs.map((c, i) => [configKey(c), i]));
  const perConfig = configs.map((config) => {
    const ctx = { config, training: true };
    const x = batch.images(config.resolution);
    const shape = x.shape as [number, number, number, number];
    const cost = detector.cost([1, shape[1], shape[2], shape[3]], ctx);
    const channels = cost.layers
      .filter((l) => l.name.startsWith(`${detector.backbone.name}.`) && (l.kind === 'conv2d' || l.kind === 'depthwise-conv2d'))
      .map((l) => l.outShape[3] as number);
    const targets = batch.targets(config.resolution, detector.levelShapes(shape, ctx));
    return {
      config,
      macs: cost.macs,
      job: {
        width: config.width,
        input: shape,
        channels,
        pixels: Array.from(x.dataSync()),
        labels: targets.flatMap((t) => Array.from(t.labels)),
        ltrb: targets.flatMap((t) => Array.from(t.ltrb)),
        ctr: targets.flatMap((t) => Array.from(t.centerness)),
      },
    };
  });
  const params = detector.parameterCount();
  const trainer = new Trainer({ model: detector, config, data, strategy, progress: 'none' });

  let server: TorchServer | undefined;
  let hello: TorchLine | null = null;
  if (python) {
    const probe = { config: full, training: false };
    const job = {
      inChannels: 1,
      stemChannels: 32,
      stemStride: 2,
      blocks: MOBILENET_V1_FASHION_MNIST_BLOCKS.map(([c, s]) => [c, s]),
      stages: 3,
      stageChannels: detector.backbone
        .stageShapes([1, SIZE, SIZE, 1], probe)
        .slice(-3)
        .map((s) => s[3]),
      channels: spec.channels,
      headConvs: spec.headConvs,
      groups: 8,
      extraLevels: 1,
      numClasses: spec.numClasses,
      threads: THREADS,
      configs: perConfig.map((p) => p.job),
      iterations: iterations.map((it) => it.map((c) => index.get(configKey(c)) as number)),
    };
    const file = join(tmpdir(), `torch-detect-${process.pid}-${variant}.json`);
    writeFileSync(file, JSON.stringify(job));
    server = new TorchServer(python, file);
    hello = await server.next();
    if (!hello) throw new Error(`PyTorch failed: ${server.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    if (hello.params !== params) throw new Error(`PyTorch's detector has ${hello.params} parameters, ours ${params}`);
    hello.macs.forEach((m, i) => {
      const p = perConfig[i] as (typeof perConfig)[number];
      if (m !== null && m !== p.macs)
        throw new Error(`${configKey(p.config)} on [${p.job.input}]: PyTorch counts ${m} conv MACs per image, ours ${p.macs}`);
    });
  }

  const step = () => trainer.trainStep(batch);
  step();
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let n = 0;
    const t0 = performance.now();
    while (n < 1 || performance.now() - t0 < SECONDS * 1000) {
      step();
      n++;
    }
    ours.push((BATCH * n * 1000) / (performance.now() - t0));
    const run = await server?.round(SECONDS);
    if (run) theirs.push(run.imagesPerSec);
  }
  server?.close();
  const m = median(ours);
  const t = theirs.length > 0 ? median(theirs) : null;
  const row = {
    variant,
    configs: configs.map((c) => configKey(c)),
    iterations: iterations.map((it) => it.map((c) => configKey(c))),
    params,
    macsPerImage: perConfig.map((p) => p.macs),
    verifiedAgainstPytorch: hello?.macs.every((x) => x !== null) ?? false,
    imagesPerSec: round3(m),
    rounds: ours.map(round3),
    pytorch: t === null ? null : { torch: hello?.torch, threads: THREADS, imagesPerSec: round3(t), rounds: theirs.map(round3) },
    ratioToPytorch: t === null ? null : round3(m / t),
    pairedRatioToPytorch: t === null ? null : round3(median(theirs.map((v, i) => (ours[i] as number) / v))),
  };
  results.push(row);
  console.log(
    `${variant.padEnd(9)} ${backend.name} ${row.imagesPerSec} img/s  ${
      t === null
        ? 'no PyTorch (set ADAPTNET_PYTHON)'
        : `PyTorch ${hello?.torch} ${round3(t)} img/s: ratio ${row.ratioToPytorch} (same-round ${row.pairedRatioToPytorch}; PyTorch's time × ${round3(t / m)})`
    }`,
  );
  writeResults();
  batch.dispose();
  trainer.dispose();
  detector.dispose();
}
console.log(`wrote ${outFile}`);
