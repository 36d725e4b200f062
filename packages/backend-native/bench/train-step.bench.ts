/**
 * Train step (forward + backward + SGD momentum 0.9, lr 0.05) of @adaptnet/core's benchmark nets
 * (fixtures/bench-nets.ts: CIFAR ResNet-20 and MobileNetV1 α=0.5 at batch 64, 32×32; the
 * Fashion-MNIST MobileNetV1 at batch 128, 28×28×1) on the native backend, with the optimizer as
 *   fused          core's sgdStep: one AdaptNetSgdStep kernel per variable
 *   tfjs-momentum  tf.train.momentum (what core's bench:models uses): 4 kernels per variable
 * and the same nets in PyTorch (2 threads, core/bench/torch_nets.py): ADAPTNET_PYTHON's (current
 * torch, the ratio) and Debian's python3-torch where installed (core/fixtures/torch-pythons.ts),
 * each reported with its version. Rounds alternate (fused, tfjs-momentum, PyTorch, fused, ...):
 * medians are reported because this machine's throughput drifts by ±20% over minutes. Writes
 * bench-results/train-step.json.
 *
 *   ADAPTNET_PYTHON=/work/venv-torch/bin/python pnpm --filter @adaptnet/backend-native bench
 *   BENCH_NETS=resnet20 BENCH_SECONDS=10 BENCH_ROUNDS=5 BENCH_OPTIMIZERS=fused pnpm --filter @adaptnet/backend-native bench
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { BENCH_NETS, benchBatch, benchTrainStep } from '../../core/fixtures/bench-nets.js';
import { torchImgPerSec, torchPythons } from '../../core/fixtures/torch-pythons.js';
import { initBackend } from '../../core/src/node.js';
import { fusedSgdTrainer, median } from './fused-sgd.js';

const here = dirname(fileURLToPath(import.meta.url));
const TORCH_NETS = join(here, '..', '..', 'core', 'bench', 'torch_nets.py');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const NETS = BENCH_NETS;
const SELECTED = process.env.BENCH_NETS?.split(',') ?? Object.keys(NETS);
const OPTIMIZERS = process.env.BENCH_OPTIMIZERS?.split(',') ?? ['fused', 'tfjs-momentum'];

const PYTORCH = torchPythons();
const TORCH_VERSION = Object.fromEntries(PYTORCH.map((p) => [p.role, p.torch]));

await initBackend({ backend: 'native', log: false });
const results: {
  net: string;
  variant: string;
  imgPerSec: number;
  rounds: number[];
  /** Versus ADAPTNET_PYTHON's PyTorch. */
  ratioToPytorch: number | null;
  /** Versus Debian's python3-torch, where installed. */
  ratioToDebianPytorch?: number | null;
  torch?: string;
}[] = [];
for (const [name, { make, batch, input }] of Object.entries(NETS).filter(([n]) => SELECTED.includes(n))) {
  const { x, y } = benchBatch(batch, input);
  // One net per optimizer, so each keeps its own momentum state.
  const variants = OPTIMIZERS.map((opt) => {
    const net = make(0);
    if (opt === 'fused') {
      const t = fusedSgdTrainer(net);
      return { name: opt, net, step: () => t.step(x, y), dispose: t.dispose };
    }
    const o = tf.train.momentum(0.05, 0.9);
    return { name: opt, net, step: () => benchTrainStep(net, o, x, y), dispose: () => o.dispose() };
  });
  for (const v of variants) for (let i = 0; i < 3; i++) v.step();
  const ours: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v.name, []]));
  const theirs: Record<string, number[]> = { current: [], debian: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const v of variants) {
      let steps = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < SECONDS * 1000 || steps < 3) {
        v.step();
        steps++;
      }
      ours[v.name]?.push((batch * steps * 1000) / (performance.now() - t0));
    }
    for (const p of PYTORCH) {
      const t = torchImgPerSec(p, TORCH_NETS, [name, String(batch), String(SECONDS), String(input[0])]);
      if (t) theirs[p.role]?.push(t);
    }
  }
  const rate = (role: string) => (theirs[role]?.length ? median(theirs[role] as number[]) : null);
  const torch = rate('current');
  const debian = rate('debian');
  for (const v of variants) {
    const rounds = ours[v.name] as number[];
    const m = median(rounds);
    results.push({
      net: name,
      variant: v.name,
      imgPerSec: Math.round(m),
      rounds: rounds.map(Math.round),
      ratioToPytorch: torch ? Number((m / torch).toFixed(3)) : null,
      ratioToDebianPytorch: debian ? Number((m / debian).toFixed(3)) : null,
    });
    console.log(
      `${name.padEnd(20)} native ${v.name.padEnd(14)} ${String(Math.round(m)).padStart(5)} img/s` +
        (torch ? `  ${(m / torch).toFixed(3)}× PyTorch ${TORCH_VERSION.current}` : '') +
        (debian ? `  ${(m / debian).toFixed(3)}× PyTorch ${TORCH_VERSION.debian} (Debian)` : '') +
        `  rounds ${rounds.map(Math.round).join(' ')}`,
    );
    v.dispose();
    tf.dispose(v.net.variables);
  }
  for (const p of PYTORCH) {
    const r = rate(p.role);
    if (!r) continue;
    const rounds = (theirs[p.role] as number[]).map(Math.round);
    results.push({
      net: name,
      variant: `pytorch ${p.torch}`,
      imgPerSec: Math.round(r),
      rounds,
      ratioToPytorch: torch ? Number((r / torch).toFixed(3)) : null,
      torch: p.torch,
    });
    console.log(`${name.padEnd(20)} pytorch ${p.torch.padEnd(14)} ${String(Math.round(r)).padStart(5)} img/s  rounds ${rounds.join(' ')}`);
  }
  tf.dispose([x, y]);
}
const outDir = join(here, '..', 'bench-results');
if (!existsSync(outDir)) mkdirSync(outDir, { recursive: true });
const file = join(outDir, 'train-step.json');
writeFileSync(
  file,
  `${JSON.stringify({ benchmark: 'backend-native/train-step', pytorch: PYTORCH, nets: NETS, secondsPerRound: SECONDS, rounds: ROUNDS, results, date: new Date().toISOString() }, null, 2)}\n`,
);
console.log(`wrote ${file}`);
