/**
 * Native-kernels benchmark (issue #8): train step (forward + backward + SGD momentum) of CIFAR
 * ResNet-20 (81.6 MFLOP/img) and MobileNetV1 α=0.5 (24.3 MFLOP/img), batch 64, 32×32, and the
 * Fashion-MNIST MobileNetV1 of docs/reference-recipe.md (batch 128, 28×28×1), on each
 * available backend, against the same nets in PyTorch (2 threads): ADAPTNET_PYTHON's (current torch,
 * the ratio) and Debian's python3-torch where installed (fixtures/torch-pythons.ts), each reported
 * with its version. Rounds alternate (ours, PyTorch, ours, ...) and medians are reported, because
 * this machine's throughput drifts by ±20% over minutes. Writes bench-results/models.json.
 *
 *   ADAPTNET_PYTHON=/work/venv-torch/bin/python pnpm --filter @adaptnet/core bench:models
 *   BENCH_SECONDS=20 BENCH_BACKENDS=native BENCH_NETS=resnet20 pnpm --filter @adaptnet/core bench:models
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { BENCH_NETS, benchBatch, benchTrainStep } from '../fixtures/bench-nets.js';
import { torchImgPerSec, torchPythons } from '../fixtures/torch-pythons.js';
import { type BackendChoice, initBackend } from '../src/node.js';

const here = dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const NETS = BENCH_NETS;
const BACKENDS = (process.env.BENCH_BACKENDS?.split(',') ?? ['native', 'wasm']) as BackendChoice[];

const PYTORCH = torchPythons();
/** One timed run per interpreter (current first), by role. */
function pytorch(net: string, batch: number, size: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of PYTORCH) {
    const v = torchImgPerSec(p, join(here, 'torch_nets.py'), [net, String(batch), String(SECONDS), String(size)]);
    if (v) out.set(p.role, v);
  }
  return out;
}

interface Row {
  net: string;
  backend: string;
  imgPerSec: number;
  rounds: number[];
  gflops: number;
  pytorchImgPerSec: number | null;
  pytorchRounds: number[];
  /** Versus ADAPTNET_PYTHON's PyTorch (`torch`). */
  ratioToPytorch: number | null;
  torch: string | null;
  debianPytorchImgPerSec: number | null;
  ratioToDebianPytorch: number | null;
  debianTorch: string | null;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const rows: Row[] = [];
const SELECTED = process.env.BENCH_NETS?.split(',') ?? Object.keys(NETS);
for (const [name, { make, batch: BATCH, input }] of Object.entries(NETS).filter(([n]) => SELECTED.includes(n))) {
  for (const backend of BACKENDS) {
    try {
      await initBackend({ backend, log: false });
    } catch {
      continue;
    }
    const net = make(0);
    const opt = tf.train.momentum(0.05, 0.9);
    const { x, y } = benchBatch(BATCH, input);
    for (let i = 0; i < 3; i++) benchTrainStep(net, opt, x, y);
    const ours: number[] = [];
    const theirs: number[] = [];
    const debian: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      let steps = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < SECONDS * 1000 || steps < 3) {
        benchTrainStep(net, opt, x, y);
        steps++;
      }
      ours.push((BATCH * steps * 1000) / (performance.now() - t0));
      const t = pytorch(name, BATCH, input[0]);
      if (t.has('current')) theirs.push(t.get('current') as number);
      if (t.has('debian')) debian.push(t.get('debian') as number);
    }
    const imgPerSec = median(ours);
    const t = theirs.length > 0 ? median(theirs) : null;
    const d = debian.length > 0 ? median(debian) : null;
    const row: Row = {
      net: name,
      backend,
      imgPerSec: Math.round(imgPerSec),
      rounds: ours.map(Math.round),
      // A train step is ~3 forward passes; 2 FLOPs per MAC.
      gflops: Number(((3 * 2 * net.forwardMacsPerImage * imgPerSec) / 1e9).toFixed(1)),
      pytorchImgPerSec: t ? Math.round(t) : null,
      pytorchRounds: theirs.map(Math.round),
      ratioToPytorch: t ? Number((imgPerSec / t).toFixed(3)) : null,
      torch: PYTORCH.find((p) => p.role === 'current')?.torch ?? null,
      debianPytorchImgPerSec: d ? Math.round(d) : null,
      ratioToDebianPytorch: d ? Number((imgPerSec / d).toFixed(3)) : null,
      debianTorch: d ? (PYTORCH.find((p) => p.role === 'debian')?.torch ?? null) : null,
    };
    rows.push(row);
    console.log(
      `${name.padEnd(16)} ${backend.padEnd(7)} ${String(row.imgPerSec).padStart(5)} img/s  ${String(row.gflops).padStart(6)} GFLOP/s` +
        (t
          ? `  ${row.ratioToPytorch}× PyTorch ${row.torch} (${Math.round(t)} img/s; medians of ${ROUNDS} alternating rounds)`
          : '  (no PyTorch: set ADAPTNET_PYTHON)') +
        (d ? `  ${row.ratioToDebianPytorch}× PyTorch ${row.debianTorch} (Debian, ${Math.round(d)} img/s)` : ''),
    );
    tf.dispose([x, y, ...net.variables]);
    opt.dispose();
  }
}
const outDir = join(here, '..', 'bench-results');
if (!existsSync(outDir)) mkdirSync(outDir, { recursive: true });
const file = join(outDir, 'models.json');
writeFileSync(
  file,
  `${JSON.stringify({ benchmark: 'core/models-train-step', nets: NETS, secondsPerRound: SECONDS, rounds: ROUNDS, results: rows, date: new Date().toISOString() }, null, 2)}\n`,
);
console.log(`wrote ${file}`);
