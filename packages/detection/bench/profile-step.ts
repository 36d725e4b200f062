/**
 * Where a detection training step's time goes on a backend (default native): wraps every kernel
 * registered for it with a timer (kernels called from inside other kernels count in both; "self"
 * subtracts them), runs BENCH_STEPS full-width training steps of the bench detector through the
 * Trainer and prints the step time, the time inside kernels, and the top kernels by self time with
 * their most expensive input shapes; on native, kernels it leaves to tfjs-cpu are marked "(cpu)"
 * (native reductions over non-contiguous axes and some transposes also fall back inside).
 *
 *   node --import tsx bench/profile-step.ts
 *   BENCH_BATCH=8 BENCH_SIZE=64 BENCH_CHANNELS=32 BENCH_HEAD_CONVS=1 node --import tsx bench/profile-step.ts
 */

import { initBackend } from '@adaptnet/core/node';
import { parseTrainConfig, Trainer } from '@adaptnet/train';
import * as tf from '@tensorflow/tfjs-core';
import { createDetectionStrategy, DetectionBatch, DetectionData, Detector } from '../src/index.js';
import { benchSamples, benchSpec } from './bench-detector.js';

const BATCH = Number(process.env.BENCH_BATCH ?? 4);
const SIZE = Number(process.env.BENCH_SIZE ?? 128);
const STEPS = Number(process.env.BENCH_STEPS ?? 3);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1);
const TOP = Number(process.env.BENCH_TOP ?? 40);
const BACKEND = (process.env.BENCH_BACKEND ?? 'native') as 'native' | 'cpu';

await initBackend({ backend: BACKEND, log: false });
// Kernels the native backend runs itself; the rest of its table is tfjs-cpu's, marked "(cpu)".
const nativeKernels = new Set<string>(
  BACKEND === 'native' ? (await import('../../backend-native/dist/index.js')).nativeBackendInfo.nativeKernels : [],
);
const spec = benchSpec({ channels: Number(process.env.BENCH_CHANNELS ?? 64), headConvs: Number(process.env.BENCH_HEAD_CONVS ?? 2) });
const detector = new Detector(spec);
const samples = benchSamples(BATCH, SIZE);
const config = parseTrainConfig({
  strategy: 'individual',
  width: 1,
  resolutions: [SIZE],
  epochs: 1000,
  batchSize: BATCH,
  optimizer: { lr: 0.01, weightDecay: 0 },
});
const data = new DetectionData(samples, { batchSize: BATCH, normalize: spec.normalize });
const trainer = new Trainer({ model: detector, config, data, strategy: createDetectionStrategy(config, detector), progress: 'none' });
const batch = new DetectionBatch(samples, { normalize: spec.normalize });

interface Stat {
  calls: number;
  self: number;
  shapes: Map<string, { calls: number; self: number }>;
}
const stats = new Map<string, Stat>();
let enabled = false;
const stack: number[] = [];
for (const k of tf.getKernelsForBackend(BACKEND)) {
  const inner = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, BACKEND);
  tf.registerKernel({
    ...k,
    kernelFunc: (args) => {
      if (!enabled) return inner(args);
      stack.push(0);
      const t0 = performance.now();
      const out = inner(args);
      const dt = performance.now() - t0;
      const child = stack.pop() as number;
      if (stack.length > 0) stack[stack.length - 1] = (stack.at(-1) as number) + dt;
      const s = stats.get(k.kernelName) ?? { calls: 0, self: 0, shapes: new Map() };
      s.calls++;
      s.self += dt - child;
      const key = Object.values(args.inputs)
        .map((t) => `[${(t as tf.TensorInfo).shape}]`)
        .join(' ');
      const sh = s.shapes.get(key) ?? { calls: 0, self: 0 };
      sh.calls++;
      sh.self += dt - child;
      s.shapes.set(key, sh);
      stats.set(k.kernelName, s);
      return out;
    },
  });
}

for (let i = 0; i < WARMUP; i++) trainer.trainStep(batch);
enabled = true;
const t0 = performance.now();
for (let i = 0; i < STEPS; i++) trainer.trainStep(batch);
const wall = (performance.now() - t0) / STEPS;
enabled = false;
const rows = [...stats.entries()].map(([k, s]) => ({ k, ...s, self: s.self / STEPS, calls: s.calls / STEPS }));
const inKernels = rows.reduce((a, r) => a + r.self, 0);
const calls = rows.reduce((a, r) => a + r.calls, 0);
console.log(
  `${BACKEND}, batch ${BATCH} at ${SIZE}, ${spec.channels} channels, ${spec.headConvs} head convs: ${wall.toFixed(1)} ms/step; kernels ${inKernels.toFixed(1)} ms in ${calls} calls; outside kernels ${(wall - inKernels).toFixed(1)} ms`,
);
rows.sort((a, b) => b.self - a.self);
for (const r of rows.slice(0, TOP)) {
  const top = [...r.shapes.entries()].sort((a, b) => b[1].self - a[1].self).slice(0, 2);
  console.log(
    `  ${(nativeKernels.has(r.k) || BACKEND !== 'native' ? r.k : `${r.k} (cpu)`).padEnd(34)} ${r.self.toFixed(1).padStart(8)} ms ${((100 * r.self) / wall).toFixed(1).padStart(5)}% ${String(r.calls).padStart(5)} calls  ${top
      .map(([s, v]) => `${s}: ${(v.self / STEPS).toFixed(1)}`)
      .join('; ')}`,
  );
}
batch.dispose();
trainer.dispose();
detector.dispose();
