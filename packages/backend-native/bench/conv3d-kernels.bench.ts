/**
 * Conv3D kernels alone (forward, input gradient, filter gradient) on `native` at the conv shapes of
 * the slow-small bench net (batch 8), against PyTorch's kernels at the same shapes
 * (bench/torch_conv3d.py, 2 threads, channels-last-3d; the interpreter is ADAPTNET_PYTHON's, see
 * core/fixtures/torch-pythons.ts). Milliseconds per call, medians of BENCH_ROUNDS alternating rounds. Writes
 * bench-results/conv3d-kernels.json.
 *
 *   ADAPTNET_PYTHON=/work/venv-torch/bin/python pnpm --filter @adaptnet/backend-native bench:conv3d
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { torchPythons } from '../../core/fixtures/torch-pythons.js';
import { initBackend } from '../../core/src/node.js';

const here = dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
type Triple = [number, number, number];
interface Spec {
  name: string;
  x: [number, number, number, number, number];
  w: [number, number, number, number, number];
  s: Triple;
}
const SPECS: Spec[] = [
  { name: 'stem 1x7x7/2', x: [8, 8, 64, 64, 3], w: [1, 7, 7, 3, 16], s: [1, 2, 2] },
  { name: 'res2 1x1x1', x: [8, 8, 16, 16, 16], w: [1, 1, 1, 16, 64], s: [1, 1, 1] },
  { name: 'res3 1x3x3/2', x: [8, 8, 16, 16, 32], w: [1, 3, 3, 32, 32], s: [1, 2, 2] },
  { name: 'res4 3x1x1', x: [8, 8, 8, 8, 128], w: [3, 1, 1, 128, 64], s: [1, 1, 1] },
  { name: 'res5 1x3x3/2', x: [8, 8, 4, 4, 128], w: [1, 3, 3, 128, 128], s: [1, 2, 2] },
];
const python = torchPythons().find((p) => p.role === 'current')?.python;

function msPerCall(fn: () => tf.Tensor): number {
  fn().dispose();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000 || n < 3) {
    const y = fn();
    y.dataSync();
    y.dispose();
    n++;
  }
  return (performance.now() - t0) / n;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

await initBackend({ backend: 'native', log: false });
const ours = SPECS.map(() => ({ fwd: [] as number[], bwdData: [] as number[], bwdFilter: [] as number[] }));
const theirs = SPECS.map(() => ({ fwd: [] as number[], bwdData: [] as number[], bwdFilter: [] as number[] }));
let torchVersion: string | null = null;
for (let r = 0; r < ROUNDS; r++) {
  SPECS.forEach((sp, i) => {
    const x = tf.randomNormal(sp.x) as tf.Tensor5D;
    const w = tf.randomNormal(sp.w) as tf.Tensor5D;
    const y = tf.conv3d(x, w, sp.s, 'same');
    const dy = tf.randomNormal(y.shape);
    const e = tf.engine();
    const acc = ours[i] as (typeof ours)[number];
    acc.fwd.push(msPerCall(() => tf.conv3d(x, w, sp.s, 'same')));
    acc.bwdData.push(
      msPerCall(
        () => e.runKernel('Conv3DBackpropInputV2', { dy, filter: w }, { strides: sp.s, pad: 'same', inputShape: sp.x }) as tf.Tensor,
      ),
    );
    acc.bwdFilter.push(
      msPerCall(() => e.runKernel('Conv3DBackpropFilterV2', { x, dy }, { strides: sp.s, pad: 'same', filterShape: sp.w }) as tf.Tensor),
    );
    tf.dispose([x, w, y, dy]);
  });
  if (python) {
    try {
      const out = execFileSync(python, [join(here, 'torch_conv3d.py'), String(SECONDS), JSON.stringify(SPECS)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const res = JSON.parse(out.trim().split('\n').pop() ?? '{}') as {
        torch: string;
        rows: { fwd: number; bwdData: number; bwdFilter: number }[];
      };
      torchVersion = res.torch;
      res.rows.forEach((row, i) => {
        const acc = theirs[i] as (typeof theirs)[number];
        acc.fwd.push(row.fwd);
        acc.bwdData.push(row.bwdData);
        acc.bwdFilter.push(row.bwdFilter);
      });
    } catch {
      // no torch there
    }
  }
}
const rows = SPECS.map((sp, i) => {
  const o = ours[i] as (typeof ours)[number];
  const t = theirs[i] as (typeof theirs)[number];
  const k = (a: number[]) => (a.length ? Number(median(a).toFixed(3)) : null);
  const entry = {
    conv: sp.name,
    x: sp.x,
    w: sp.w,
    strides: sp.s,
    nativeMs: { fwd: k(o.fwd), bwdData: k(o.bwdData), bwdFilter: k(o.bwdFilter) },
    pytorchMs: { fwd: k(t.fwd), bwdData: k(t.bwdData), bwdFilter: k(t.bwdFilter) },
  };
  const fmt = (a: number | null, b: number | null) =>
    `${a?.toFixed(2)}${b !== null && a !== null ? ` (PyTorch ${b.toFixed(2)}, ${(b / a).toFixed(2)}×)` : ''}`;
  console.log(
    `${sp.name.padEnd(14)} fwd ${fmt(entry.nativeMs.fwd, entry.pytorchMs.fwd)}  bwd-data ${fmt(entry.nativeMs.bwdData, entry.pytorchMs.bwdData)}  bwd-filter ${fmt(entry.nativeMs.bwdFilter, entry.pytorchMs.bwdFilter)} ms`,
  );
  return entry;
});
const outDir = join(here, '..', 'bench-results');
if (!existsSync(outDir)) mkdirSync(outDir, { recursive: true });
const file = join(outDir, 'conv3d-kernels.json');
writeFileSync(
  file,
  `${JSON.stringify({ benchmark: 'backend-native/conv3d-kernels', torch: torchVersion, torchThreads: 2, secondsPerRound: SECONDS, rounds: ROUNDS, rows, date: new Date().toISOString() }, null, 2)}\n`,
);
console.log(`wrote ${file}`);
