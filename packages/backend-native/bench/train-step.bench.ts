/**
 * Train step (forward + backward + SGD momentum 0.9, lr 0.05) of @adaptnet/core's benchmark nets
 * (fixtures/bench-nets.ts: CIFAR ResNet-20 and MobileNetV1 α=0.5 at batch 64, 32×32; the
 * Fashion-MNIST MobileNetV1 at batch 128, 28×28×1) on the native backend, with the optimizer as
 *   fused          core's sgdStep: one AdaptNetSgdStep kernel per variable
 *   tfjs-momentum  tf.train.momentum (what core's bench:models uses): 4 kernels per variable
 * and the same nets in PyTorch (2 threads, core/bench/torch_nets.py) when Debian's python3-torch
 * is installed. Rounds alternate (fused, tfjs-momentum, PyTorch, fused, ...): medians are reported
 * because this machine's throughput drifts by ±20% over minutes. Writes bench-results/train-step.json.
 *
 *   pnpm --filter @adaptnet/backend-native bench
 *   BENCH_NETS=resnet20 BENCH_SECONDS=10 BENCH_ROUNDS=5 BENCH_OPTIMIZERS=fused pnpm --filter @adaptnet/backend-native bench
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { BENCH_NETS, benchBatch, benchTrainStep } from '../../core/fixtures/bench-nets.js';
import { initBackend } from '../../core/src/node.js';
import { fusedSgdTrainer, median } from './fused-sgd.js';

const here = dirname(fileURLToPath(import.meta.url));
const TORCH_NETS = join(here, '..', '..', 'core', 'bench', 'torch_nets.py');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const NETS = BENCH_NETS;
const SELECTED = process.env.BENCH_NETS?.split(',') ?? Object.keys(NETS);
const OPTIMIZERS = process.env.BENCH_OPTIMIZERS?.split(',') ?? ['fused', 'tfjs-momentum'];

function pytorch(net: string, batch: number, size: number): number | null {
  try {
    const out = execFileSync('/usr/bin/python3', [TORCH_NETS, net, String(batch), String(SECONDS), String(size)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return Number(JSON.parse(out.trim().split('\n').pop() ?? '{}').imgPerSec) || null;
  } catch {
    return null;
  }
}

await initBackend({ backend: 'native', log: false });
const results: { net: string; variant: string; imgPerSec: number; rounds: number[]; ratioToPytorch: number | null }[] = [];
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
  const theirs: number[] = [];
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
    const t = pytorch(name, batch, input[0]);
    if (t) theirs.push(t);
  }
  const torch = theirs.length > 0 ? median(theirs) : null;
  for (const v of variants) {
    const rounds = ours[v.name] as number[];
    const m = median(rounds);
    results.push({
      net: name,
      variant: v.name,
      imgPerSec: Math.round(m),
      rounds: rounds.map(Math.round),
      ratioToPytorch: torch ? Number((m / torch).toFixed(3)) : null,
    });
    console.log(
      `${name.padEnd(20)} native ${v.name.padEnd(14)} ${String(Math.round(m)).padStart(5)} img/s` +
        (torch ? `  ${(m / torch).toFixed(3)}× PyTorch` : '') +
        `  rounds ${rounds.map(Math.round).join(' ')}`,
    );
    v.dispose();
    tf.dispose(v.net.variables);
  }
  if (torch) {
    results.push({ net: name, variant: 'pytorch', imgPerSec: Math.round(torch), rounds: theirs.map(Math.round), ratioToPytorch: 1 });
    console.log(
      `${name.padEnd(20)} pytorch${' '.repeat(16)}${String(Math.round(torch)).padStart(5)} img/s  rounds ${theirs.map(Math.round).join(' ')}`,
    );
  }
  tf.dispose([x, y]);
}
const outDir = join(here, '..', 'bench-results');
if (!existsSync(outDir)) mkdirSync(outDir, { recursive: true });
const file = join(outDir, 'train-step.json');
writeFileSync(
  file,
  `${JSON.stringify({ benchmark: 'backend-native/train-step', nets: NETS, secondsPerRound: SECONDS, rounds: ROUNDS, results, date: new Date().toISOString() }, null, 2)}\n`,
);
console.log(`wrote ${file}`);
