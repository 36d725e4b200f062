/**
 * Prepared inference (issue #19): per model × configuration, on each backend, batch 1 (and
 * BENCH_BATCHES), the kernels one forward calls and its median / p90 latency, plain adaptive
 * forward against the prepared path, and the time of a configuration switch: cold (slice + fold)
 * and warm (a cache hit). BN statistics are synthetic (folding costs the same). Writes
 * bench-results/prepared.json.
 *
 *   pnpm --filter @adaptnet/export bench
 *   BENCH_BACKENDS=native BENCH_MODELS=main-job,mobilenet-v1 BENCH_RUNS=40 pnpm --filter @adaptnet/export bench
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Backbone, createBackbone, MOBILENET_V1_FASHION_MNIST_BLOCKS } from '@adaptnet/backbones';
import type { SubnetConfig } from '@adaptnet/core';
import { type BackendChoice, initBackend } from '@adaptnet/core/node';
import { findBatchNorms } from '@adaptnet/norm';
import * as tf from '@tensorflow/tfjs-core';
import { PreparedCache, prepareSubnet } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const BACKENDS = (process.env.BENCH_BACKENDS?.split(',') ?? ['native', 'wasm']) as BackendChoice[];
const BATCHES = (process.env.BENCH_BATCHES?.split(',') ?? ['1']).map(Number);

interface ModelCase {
  readonly id: string;
  readonly build: () => Backbone;
  readonly inChannels: number;
  readonly configs: readonly SubnetConfig[];
}

const IMAGENET_CONFIGS: SubnetConfig[] = [
  { width: 1, resolution: 224 },
  { width: 0.75, resolution: 192 },
  { width: 0.5, resolution: 160 },
  { width: 0.25, resolution: 128 },
];

const MODELS: ModelCase[] = [
  {
    id: 'main-job',
    build: () =>
      createBackbone('mobilenet-v1', { input: 'small', inChannels: 1, numClasses: 10, blocks: MOBILENET_V1_FASHION_MNIST_BLOCKS }),
    inChannels: 1,
    configs: [
      { width: 1, resolution: 28 },
      { width: 0.75, resolution: 24 },
      { width: 0.5, resolution: 20 },
      { width: 0.25, resolution: 16 },
    ],
  },
  { id: 'mobilenet-v1', build: () => createBackbone('mobilenet-v1'), inChannels: 3, configs: IMAGENET_CONFIGS },
  {
    id: 'mobilenet-v2',
    build: () => createBackbone('mobilenet-v2', { widthRange: { min: 0.25, max: 1 } }),
    inChannels: 3,
    configs: IMAGENET_CONFIGS,
  },
  { id: 'resnet-50', build: () => createBackbone('resnet-50'), inChannels: 3, configs: IMAGENET_CONFIGS },
];
const WANTED = process.env.BENCH_MODELS?.split(',');

function synthesiseStatistics(model: Backbone, configs: readonly SubnetConfig[]): void {
  for (const config of configs) {
    findBatchNorms(model).forEach(({ bn }, i) => {
      const mean = Array.from({ length: bn.channels }, (_, c) => 0.1 * Math.sin(i + c));
      const variance = Array.from({ length: bn.channels }, (_, c) => 0.5 + Math.cos(i + 3 * c) ** 2);
      bn.setStatistics(bn.keyFor(config), mean, variance);
    });
  }
}

/** Kernel calls `fn` makes through the engine (every op and fused op ends in `engine.runKernel`). */
function countKernels(fn: () => tf.Tensor): { count: number; names: Record<string, number> } {
  const engine = tf.engine();
  const original = engine.runKernel.bind(engine);
  const names: Record<string, number> = {};
  let count = 0;
  engine.runKernel = ((name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap) => {
    count++;
    names[name] = (names[name] ?? 0) + 1;
    return original(name, inputs, attrs);
  }) as typeof engine.runKernel;
  try {
    tf.dispose(fn());
  } finally {
    engine.runKernel = original;
  }
  return { count, names };
}

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))] as number;
}

interface Timing {
  readonly median: number;
  readonly p90: number;
  /** The least disturbed run: the better estimate on a shared, loaded machine. */
  readonly min: number;
}

/** Runs `a` and `b` alternately (so drifting machine load hits both alike), each finished by reading the output back. */
function timePair(a: () => tf.Tensor, b: () => tf.Tensor, runs: number): [Timing, Timing] {
  const once = (fn: () => tf.Tensor): number => {
    const t0 = performance.now();
    const y = fn();
    y.dataSync();
    const ms = performance.now() - t0;
    y.dispose();
    return ms;
  };
  for (let i = 0; i < 3; i++) {
    once(a);
    once(b);
  }
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < runs; i++) {
    ta.push(once(a));
    tb.push(once(b));
  }
  const summary = (xs: number[]): Timing => ({ median: quantile(xs, 0.5), p90: quantile(xs, 0.9), min: Math.min(...xs) });
  return [summary(ta), summary(tb)];
}

const rows: object[] = [];
for (const backend of BACKENDS) {
  try {
    await initBackend({ backend, log: false });
  } catch (e) {
    console.log(`[prepared] ${backend}: not available (${(e as Error).message.split('\n')[0]})`);
    continue;
  }
  for (const m of MODELS.filter((c) => WANTED === undefined || WANTED.includes(c.id))) {
    const model = m.build();
    synthesiseStatistics(model, m.configs);
    const cache = new PreparedCache(model, { maxEntries: m.configs.length, maxBytes: Number.POSITIVE_INFINITY });
    for (const config of m.configs) {
      // Switch time, cold: slice + fold + plan; warm: a cache hit.
      const cold: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        const p = prepareSubnet(model, config);
        cold.push(performance.now() - t0);
        p.dispose();
      }
      cache.get(config);
      const warm: number[] = [];
      for (let i = 0; i < 200; i++) {
        const t0 = performance.now();
        cache.get(config);
        warm.push(performance.now() - t0);
      }
      for (const batch of BATCHES) {
        const x = tf.randomUniform([batch, config.resolution, config.resolution, m.inChannels], 0, 1, 'float32', 1);
        const ctx = { config, training: false };
        const plainForward = () => model.forward(x, ctx);
        const preparedForward = () => cache.predict(x, config);
        const plainKernels = countKernels(plainForward);
        const preparedKernels = countKernels(preparedForward);
        const [plain, prepared] = timePair(plainForward, preparedForward, RUNS);
        const row = {
          backend,
          model: m.id,
          config,
          batch,
          macs: cache.get(config).macs * batch,
          kernelCalls: { plain: plainKernels.count, prepared: preparedKernels.count },
          preparedKernels: preparedKernels.names,
          plainMs: plain,
          preparedMs: prepared,
          speedup: { median: plain.median / prepared.median, min: plain.min / prepared.min },
          switchMs: { cold: quantile(cold, 0.5), warm: quantile(warm, 0.5) },
          preparedBytes: cache.get(config).bytes,
        };
        rows.push(row);
        console.log(
          `[prepared] ${backend} ${m.id} w${config.width} r${config.resolution} b${batch}: kernels ${plainKernels.count} → ${preparedKernels.count}, ` +
            `median ${plain.median.toFixed(2)} → ${prepared.median.toFixed(2)} ms, min ${plain.min.toFixed(2)} → ${prepared.min.toFixed(2)} ms, ` +
            `switch cold ${row.switchMs.cold.toFixed(2)} ms, warm ${(row.switchMs.warm * 1000).toFixed(1)} µs, ${(row.preparedBytes / 1024).toFixed(0)} KiB`,
        );
        x.dispose();
      }
    }
    const memory = cache.memory();
    console.log(
      `[prepared] ${backend} ${m.id}: shared ${(memory.sharedBytes / 2 ** 20).toFixed(2)} MiB, ${memory.entries.length} prepared ${(memory.preparedBytes / 2 ** 20).toFixed(2)} MiB`,
    );
    rows.push({ backend, model: m.id, memory: { ...memory, entries: memory.entries.map((e) => ({ key: e.key, bytes: e.bytes })) } });
    cache.dispose();
    model.dispose();
  }
}
const out = join(here, '..', 'bench-results', 'prepared.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), runs: RUNS, rows }, null, 2)}\n`);
console.log(`[prepared] wrote ${out}`);
