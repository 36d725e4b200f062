/**
 * Where the time of the smallest configurations goes (issue #19), batch 1 (BENCH_BATCH; BENCH_CONFIG:
 * another configuration's index, 0 the largest), native: the prepared
 * subnet run one fused kernel per layer (`wholeNet: false`) against the same subnet as one
 * AdaptNetRunPlan kernel, and the fixed costs of one kernel call measured on their own:
 *   engine   tf.engine().runKernel of a kernel that does nothing (Identity: a new tensor sharing
 *            the input's storage), + disposing the result: tfjs's bookkeeping per call;
 *   napi     one call into the addon with fusedRun's six arguments, doing nothing (addon.noop);
 *   alloc    a new Float32Array of each layer's output size (what a kernel output below 4096
 *            floats costs; larger ones come from the backend's buffer pool, not counted);
 *   kernels  the plan's time minus one engine and one N-API call: its oneDNN primitives and
 *            direct kernels themselves;
 *   rest     what is left of the per-layer time: the kernels' own JS (shape keys, cache lookups)
 *            the per-layer kernels that are not oneDNN primitives there (Mean, MaxPool,
 *            Reshape), and what the per-layer oneDNN primitives take over the plan's direct
 *            kernels on the small layers.
 * Arithmetic time: MACs ÷ the peak rate of a large oneDNN convolution measured in the same run
 * (bench/peak-rate.ts) on BENCH_THREADS (2) threads. Times are the fastest of BENCH_RUNS (200)
 * forwards (medians in the JSON): on a loaded machine the fastest is the least disturbed.
 * Writes bench-results/floor-profile.json.
 *
 *   pnpm --filter @adaptnet/export bench:floor
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeAddon, profileLastPlan } from '@adaptnet/backend-native';
import { initBackend } from '@adaptnet/core/node';
import * as tf from '@tensorflow/tfjs-core';
import { prepareSubnet } from '../src/index.js';
import { calibrateAll, images, LATENCY_NETS } from './latency-nets.js';
import { bestPeak, peakRate } from './peak-rate.js';

const here = dirname(fileURLToPath(import.meta.url));
const SELECTED = process.env.BENCH_NETS?.split(',') ?? Object.keys(LATENCY_NETS);
const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const BATCH = Number(process.env.BENCH_BATCH ?? 1);
const CONFIG_INDEX = process.env.BENCH_CONFIG === undefined ? -1 : Number(process.env.BENCH_CONFIG);

await initBackend({ backend: 'native', log: false });
const addon = nativeAddon();
if (addon === null) throw new Error('floor-profile: the native addon is not loaded');
addon.threads(THREADS);

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0] as number, median: s[Math.floor(s.length / 2)] as number };
};
/** Per-call time of `f`, called `inner` times per sample. */
function perCall(f: () => void, inner = 1, runs = RUNS): { min: number; median: number } {
  for (let i = 0; i < 5; i++) f();
  const xs: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) f();
    xs.push((performance.now() - t0) / inner);
  }
  return stats(xs);
}

const probe = tf.zeros([1, 8, 8, 4]);
const engineMs = perCall(() => (tf.engine().runKernel('Identity', { x: probe }, {}) as tf.Tensor).dispose(), 100);
const a = new Float32Array(1024);
const napiMs = perCall(() => (addon.noop as unknown as (...args: unknown[]) => void)(1, a, a, null, a, 0), 100);
probe.dispose();
let peak = peakRate(THREADS);
console.log(
  `per call: engine ${(engineMs.min * 1000).toFixed(2)} µs, N-API ${(napiMs.min * 1000).toFixed(2)} µs; peak ${(peak.macsPerMs / 1e6).toFixed(2)} GMAC/s (${peak.threads} threads, ${peak.shape})`,
);

const measured = [];
for (const name of SELECTED) {
  const entry = LATENCY_NETS[name];
  if (!entry) throw new Error(`BENCH_NETS: unknown net '${name}' (known: ${Object.keys(LATENCY_NETS).join(', ')})`);
  const net = entry.make();
  const config = entry.configs.at(CONFIG_INDEX)!;
  await calibrateAll(net, { ...entry, configs: [config] });
  const whole = prepareSubnet(net, config);
  const layers = prepareSubnet(net, config, { wholeNet: false });
  const x = images(net, config, BATCH, 3);
  const run = (p: typeof whole) => () => tf.tidy(() => void p.predict(x).dataSync());
  const profile = await tf.profile(() => void layers.predict(x).dispose());
  const calls = profile.kernels.length;
  const outFloats = profile.kernels.map((k) => k.outputShapes.reduce((n, s) => n + (s ?? []).reduce((m, d) => m * d, 1), 0));
  const allocMs = perCall(() => {
    for (const n of outFloats) if (n < 4096) new Float32Array(n);
  });
  const layersMs = perCall(run(layers));
  const planMs = perCall(run(whole));
  const macs = whole.macs;
  // Per op of the plan (each op waited for), against its own arithmetic time.
  const opNs = [...(profileLastPlan(x.dataSync() as Float32Array, 50) ?? [])];
  const kernels = planMs.min - engineMs.min - napiMs.min;
  const split = {
    kernelsMs: kernels,
    engineMs: calls * engineMs.min,
    napiMs: calls * napiMs.min,
    allocMs: allocMs.min,
    restMs: layersMs.min - kernels - calls * (engineMs.min + napiMs.min) - allocMs.min,
  };
  peak = bestPeak(peak, peakRate(THREADS));
  measured.push({
    net: name,
    config: `${config.width}×-${config.resolution}`,
    batch: BATCH,
    macs,
    kernelCallsPerLayerPath: calls,
    perLayerMs: layersMs,
    wholeNetMs: planMs,
    perLayerSplitMs: split,
    planOpUs: opNs.map((ns) => Math.round(ns) / 1000),
  });
  const us = (v: number) => `${(v * 1000).toFixed(1)}`;
  console.log(
    `${name} ${config.width}×-${config.resolution}: ${calls} calls; per layer ${us(layersMs.min)} µs = kernels ${us(split.kernelsMs)} + engine ${us(split.engineMs)} + N-API ${us(split.napiMs)} + alloc ${us(split.allocMs)} + rest ${us(split.restMs)}; ` +
      `whole net ${us(planMs.min)} µs (${(macs / 1e6).toFixed(2)}M MACs)`,
  );
  const top = opNs
    .map((ns, i) => [i, ns] as const)
    .sort((p, q) => q[1] - p[1])
    .slice(0, 5);
  console.log(
    `  plan ops: sum ${(opNs.reduce((p, q) => p + q, 0) / 1000).toFixed(1)} µs over ${opNs.length}; slowest ${top.map(([i, ns]) => `#${i} ${(ns / 1000).toFixed(1)}`).join(', ')} µs`,
  );
  tf.dispose(x);
  whole.dispose();
  layers.dispose();
  net.dispose();
}

// Arithmetic time with the best peak measured in the whole run (measured again after every net).
const rows = measured.map((r) => {
  const arithmeticMs = (r.macs * r.batch) / peak.macsPerMs;
  return {
    ...r,
    arithmeticMs,
    perLayerOverArithmetic: r.perLayerMs.min / arithmeticMs,
    wholeNetOverArithmetic: r.wholeNetMs.min / arithmeticMs,
  };
});
console.log(`peak ${(peak.macsPerMs / 1e6).toFixed(2)} GMAC/s (${peak.shape}); fastest forward ÷ arithmetic time (MACs ÷ peak):`);
for (const r of rows) {
  console.log(
    `  ${r.net} ${r.config}: arithmetic ${(r.arithmeticMs * 1000).toFixed(1)} µs; per layer ${r.perLayerOverArithmetic.toFixed(2)}×, whole net ${r.wholeNetOverArithmetic.toFixed(2)}×`,
  );
}

const out = join(here, '..', 'bench-results', 'floor-profile.json');
if (!existsSync(dirname(out))) mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ benchmark: 'export/floor-profile', threads: THREADS, runs: RUNS, engineMs, napiMs, peak, rows, date: new Date().toISOString() }, null, 2)}\n`,
);
console.log(`wrote ${out}`);
