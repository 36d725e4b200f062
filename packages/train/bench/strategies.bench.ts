/**
 * Img/s of one training iteration per strategy on the reference Fashion-MNIST MobileNetV1
 * (docs/reference-recipe.md; small-input stem, blocks 64..512, 14.35M MACs at 1.0×-28), real
 * Fashion-MNIST batches through @adaptnet/data (pad-crop + flip, normalised), on the best
 * backend. Images per iteration count once, however many subnets the strategy runs (as the
 * reference's "img/s per sandwich step"). The same iteration of individual / usnet / mutualnet
 * runs in PyTorch (bench/torch_sandwich.py, 2 threads, channels-last) in the same run, for the
 * ratio: ADAPTNET_PYTHON's (current torch) and Debian's python3-torch where installed
 * (core/fixtures/torch-pythons.ts), each reported with its version; the reference figures
 * (docs/reference-recipe.md: another machine, batch 128, PyTorch 1.13) are reported beside them.
 * Writes bench-results/strategies.json.
 *
 *   ADAPTNET_PYTHON=/work/venv-torch/bin/python pnpm --filter @adaptnet/train bench
 *   BENCH_BATCH=128 BENCH_SECONDS=20 BENCH_STRATEGIES=mutualnet,individual pnpm --filter @adaptnet/train bench
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBackbone, MOBILENET_V1_FASHION_MNIST_BLOCKS } from '@adaptnet/backbones';
import { initBackend } from '@adaptnet/core/node';
import { BatchStream, FASHION_MNIST_NORMALIZE } from '@adaptnet/data';
import { loadFashionMnist } from '@adaptnet/data/node';
import { type TorchPython, torchImgPerSec, torchPythons } from '../../core/fixtures/torch-pythons.js';
import { normOptionsFor, parseTrainConfig, STRATEGIES, type Strategy, Trainer } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const BATCH = Number(process.env.BENCH_BATCH ?? 64);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ONLY = process.env.BENCH_STRATEGIES?.split(',') as Strategy[] | undefined;
/**
 * PyTorch 1.13 (2 threads) on the same recipe, batch 128, from docs/reference-recipe.md: 60,000 images
 * per epoch over the measured epoch times (MutualNet 212 s, US-Net 232 s, individual 95 s).
 * RS-Nets and resizable were not measured there.
 */
const REFERENCE_IMG_PER_SEC: Partial<Record<Strategy, number>> = { mutualnet: 283, usnet: 60000 / 232, individual: 60000 / 95 };
const TORCH_SANDWICH = join(here, 'torch_sandwich.py');
const TORCH_STRATEGIES: readonly Strategy[] = ['individual', 'usnet', 'mutualnet'];

const PYTORCH = torchPythons();
/** The same iteration in PyTorch on this machine, or null where that strategy has no PyTorch script. */
function pytorchImgPerSec(p: TorchPython | undefined, strategy: Strategy): number | null {
  if (!p || !TORCH_STRATEGIES.includes(strategy)) return null;
  return torchImgPerSec(p, TORCH_SANDWICH, [strategy, String(BATCH), String(SECONDS)]);
}
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const RESOLUTIONS = [28, 24, 20, 16];

const backend = await initBackend({ log: false });
const data = await loadFashionMnist({ split: 'train' });
const stream = new BatchStream(data, {
  batchSize: BATCH,
  augment: { kind: 'pad-crop', padding: 2, flip: true },
  normalize: FASHION_MNIST_NORMALIZE,
});

function build(strategy: Strategy) {
  const config = parseTrainConfig({
    strategy,
    resolutions: strategy === 'resizable' ? [28] : RESOLUTIONS,
    widthRange: { min: 0.25, max: 1 },
    epochs: 1,
    batchSize: BATCH,
    checkpointEvery: 0,
  });
  const options = { input: 'small' as const, inChannels: 1, numClasses: 10, blocks: MOBILENET_V1_FASHION_MNIST_BLOCKS };
  let stages = 0;
  if (strategy === 'resizable') {
    const probe = createBackbone('mobilenet-v1', { ...options, resizable: true, norm: { policy: 'config' } });
    stages = probe.resizes.length;
    probe.dispose();
  }
  const model = createBackbone('mobilenet-v1', {
    ...options,
    resizable: strategy === 'resizable',
    norm: normOptionsFor(config, { resizableStages: stages }),
  });
  return new Trainer({ model, config, data: stream, progress: 'none' });
}

interface Row {
  strategy: Strategy;
  subnetsPerIteration: number;
  imgPerSec: number;
  msPerIteration: number;
  iterations: number;
  /** PyTorch (ADAPTNET_PYTHON's, `torch`), same iteration, this machine, this run. */
  pytorchImgPerSec: number | null;
  ratioToPytorch: number | null;
  torch: string | null;
  /** Debian's python3-torch, where installed. */
  debianPytorchImgPerSec: number | null;
  ratioToDebianPytorch: number | null;
  /** PyTorch per docs/reference-recipe.md (its machine, batch 128, full epochs). */
  referenceImgPerSec: number | null;
  ratioToReference: number | null;
}

const rows: Row[] = [];
for (const strategy of STRATEGIES.filter((s) => ONLY === undefined || ONLY.includes(s))) {
  const trainer = build(strategy);
  const warm = 3;
  await trainer.fit({ stopAtStep: warm });
  const t0 = performance.now();
  let steps = warm;
  while (performance.now() - t0 < SECONDS * 1000) {
    steps += 5;
    await trainer.fit({ stopAtStep: steps });
  }
  const seconds = (performance.now() - t0) / 1000;
  const iterations = steps - warm;
  const imgPerSec = (iterations * BATCH) / seconds;
  const current = PYTORCH.find((p) => p.role === 'current');
  const debianPython = PYTORCH.find((p) => p.role === 'debian');
  const torch = pytorchImgPerSec(current, strategy);
  const debian = pytorchImgPerSec(debianPython, strategy);
  const reference = REFERENCE_IMG_PER_SEC[strategy] ?? null;
  const row: Row = {
    strategy,
    subnetsPerIteration: trainer.strategy.sampler.next().length,
    imgPerSec: round(imgPerSec, 1),
    msPerIteration: round((seconds / iterations) * 1000, 1),
    iterations,
    pytorchImgPerSec: torch === null ? null : round(torch, 1),
    ratioToPytorch: torch === null ? null : round(imgPerSec / torch, 2),
    torch: torch === null ? null : (current?.torch ?? null),
    debianPytorchImgPerSec: debian === null ? null : round(debian, 1),
    ratioToDebianPytorch: debian === null ? null : round(imgPerSec / debian, 2),
    referenceImgPerSec: reference === null ? null : Math.round(reference),
    ratioToReference: reference === null ? null : round(imgPerSec / reference, 2),
  };
  rows.push(row);
  const vsTorch =
    (torch === null ? '' : `  ${row.ratioToPytorch?.toFixed(2)}× PyTorch ${row.torch} here (${row.pytorchImgPerSec?.toFixed(0)} img/s)`) +
    (debian === null
      ? ''
      : `  ${row.ratioToDebianPytorch?.toFixed(2)}× PyTorch ${debianPython?.torch} (Debian, ${row.debianPytorchImgPerSec?.toFixed(0)} img/s)`);
  const vsReference = reference === null ? '' : `  ${row.ratioToReference?.toFixed(2)}× reference (${row.referenceImgPerSec} img/s)`;
  console.log(
    `${strategy.padEnd(11)} ${row.subnetsPerIteration} subnets  ${row.imgPerSec.toFixed(0).padStart(5)} img/s  ${row.msPerIteration.toFixed(1)} ms/iter${vsTorch}${vsReference}`,
  );
  trainer.model.dispose();
  trainer.dispose();
}

const out = join(here, '..', 'bench-results', 'strategies.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ backend: backend.name, batch: BATCH, seconds: SECONDS, net: 'fashion-mobilenet-v1 (14.35M MACs at 1.0x-28)', pytorch: { script: 'bench/torch_sandwich.py, same batch, this machine', interpreters: PYTORCH }, reference: 'docs/reference-recipe.md, batch 128, full epochs', rows }, null, 2)}\n`,
);
console.log(`wrote ${out}`);
