/**
 * Where one inference forward's time goes (issue #19), batch 1, at the largest and the smallest
 * configuration of each net: wall time per forward, and per kernel the calls per forward and self
 * time, for each inference path of bench/paths.ts (prepared, plain adaptive, exported static subnet).
 * Writes bench-results/profile-inference.json.
 *
 *   BENCH_NETS=main-job,mobilenet-v1 BENCH_PATHS=prepared BENCH_BACKEND=native node --import tsx bench/profile-inference.ts
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BackendChoice, initBackend } from '@adaptnet/core/node';
import * as tf from '@tensorflow/tfjs-core';
import { KernelProfiler, type KernelStat } from './kernel-profile.js';
import { calibrateAll, images, LATENCY_NETS } from './latency-nets.js';
import { benchCache, inferencePaths } from './paths.js';

const here = dirname(fileURLToPath(import.meta.url));
const SELECTED = process.env.BENCH_NETS?.split(',') ?? Object.keys(LATENCY_NETS);
const BACKEND = (process.env.BENCH_BACKEND ?? 'native') as BackendChoice;
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const TOP = Number(process.env.BENCH_TOP ?? 10);
const PATHS = process.env.BENCH_PATHS?.split(',');

await initBackend({ backend: BACKEND, log: false });
const profiler = new KernelProfiler(tf.getBackend());

interface ProfileRow {
  net: string;
  config: string;
  path: string;
  msPerForward: number;
  kernelCallsPerForward: number;
  kernelMsPerForward: number;
  kernels: KernelStat[];
}
const rows: ProfileRow[] = [];
for (const name of SELECTED) {
  const entry = LATENCY_NETS[name];
  if (!entry) throw new Error(`BENCH_NETS: unknown net '${name}' (known: ${Object.keys(LATENCY_NETS).join(', ')})`);
  const net = entry.make();
  await calibrateAll(net, entry);
  const cache = benchCache(net);
  for (const config of [entry.configs[0]!, entry.configs.at(-1)!]) {
    const x = images(net, config, 1, 1);
    for (const path of inferencePaths(net, config, cache).filter((p) => !PATHS || PATHS.includes(p.name))) {
      for (let i = 0; i < 3; i++) tf.tidy(() => path.run(x).dataSync());
      const t0 = performance.now();
      for (let i = 0; i < RUNS; i++) tf.tidy(() => path.run(x).dataSync());
      const msPerForward = (performance.now() - t0) / RUNS;
      profiler.reset();
      profiler.enabled = true;
      for (let i = 0; i < RUNS; i++) tf.tidy(() => path.run(x).dataSync());
      profiler.enabled = false;
      const kernels = profiler.report(RUNS);
      const row: ProfileRow = {
        net: name,
        config: `${config.width}×-${config.resolution}`,
        path: path.name,
        msPerForward,
        kernelCallsPerForward: kernels.reduce((s, k) => s + k.calls, 0),
        kernelMsPerForward: kernels.reduce((s, k) => s + k.selfMs, 0),
        kernels,
      };
      rows.push(row);
      console.log(
        `${name} ${row.config} ${path.name}: ${msPerForward.toFixed(2)} ms/forward, ${row.kernelCallsPerForward} kernel calls, ${row.kernelMsPerForward.toFixed(2)} ms in kernels`,
      );
      for (const k of kernels.slice(0, TOP)) {
        console.log(`    ${k.kernel.padEnd(28)} ${String(k.calls).padStart(5)} calls ${k.selfMs.toFixed(3).padStart(8)} ms`);
      }
      path.dispose();
    }
    x.dispose();
  }
  cache.dispose();
  net.dispose();
}
const outDir = join(here, '..', 'bench-results');
if (!existsSync(outDir)) mkdirSync(outDir, { recursive: true });
const file = join(outDir, 'profile-inference.json');
writeFileSync(
  file,
  `${JSON.stringify({ benchmark: 'export/profile-inference', backend: BACKEND, runs: RUNS, rows, date: new Date().toISOString() }, null, 2)}\n`,
);
console.log(`wrote ${file}`);
