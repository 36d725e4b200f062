/**
 * Inference latency per configuration (issue #19): MobileNetV1, MobileNetV2, ResNet-50 and the main
 * job's Fashion-MNIST MobileNetV1, four configurations each from the largest to the smallest,
 * batch 1 and 8, after BN calibration. For each inference path (bench/paths.ts) on native, and on
 * wasm (the browser's backend), the median and p90 latency, against the same static network in
 * PyTorch (bench/torch_static.py rebuilds each configuration's exported subnet: same layers, same
 * folded weights; its MACs, parameters and logits are checked against ours before timing). Also the
 * realised speed-up relative to the full configuration and the configuration-switch times.
 *
 * Rounds alternate (ours, PyTorch, ours, ...) because this machine's speed drifts a lot; samples of
 * all rounds are pooled. Each cell runs for BENCH_WARMUP_SECONDS on both sides before it is timed:
 * V8 compiles the JavaScript around a kernel call to optimised code only after hundreds of calls,
 * and with a 2-call warm-up the smallest cells measured that tier-up (main job 0.25×-16: median
 * 27 µs against 14 µs once warm). Writes bench-results/latency.json.
 *
 *   ADAPTNET_PYTHON=/work/venv-torch/bin/python pnpm --filter @adaptnet/export bench
 *   BENCH_NETS=main-job BENCH_ROUNDS=1 BENCH_BACKENDS=native ... node --import tsx bench/latency.bench.ts
 * Environment: BENCH_NETS, BENCH_ROUNDS (3), BENCH_ITERS (40 per cell and round), BENCH_CELL_SECONDS
 * (1.5: a cell stops after this, with at least 3 samples), BENCH_WARMUP_SECONDS (0.2 per cell and
 * round, at least 2 forwards), BENCH_BACKENDS (native,wasm),
 * BENCH_WASM_MAX_GMACS (2: wasm skips forwards above this many GMACs), BENCH_THREADS (2),
 * BENCH_CONFIGS (indices of the configurations to run, default all; speed-ups vs full need 0),
 * BENCH_PATHS (e.g. prepared,prepared-layers: skip the slow adaptive and exported paths).
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Backbone } from '@adaptnet/backbones';
import { nativePlanStats } from '@adaptnet/backend-native';
import type { SubnetConfig } from '@adaptnet/core';
import { type BackendChoice, initBackend } from '@adaptnet/core/node';
import * as tf from '@tensorflow/tfjs-core';
import { exportSubnet, type PreparedCache, subnetMetadata } from '../src/index.js';
import { saveSubnet } from '../src/node.js';
import { calibrateAll, images, LATENCY_NETS } from './latency-nets.js';
import { benchCache, type InferencePath, inferencePaths, measureSwitch, type SwitchTimes } from './paths.js';
import { bestPeak, type PeakRate, peakRate } from './peak-rate.js';

const here = dirname(fileURLToPath(import.meta.url));
const env = process.env;
const SELECTED = env.BENCH_NETS?.split(',') ?? Object.keys(LATENCY_NETS);
const ROUNDS = Number(env.BENCH_ROUNDS ?? 3);
const ITERS = Number(env.BENCH_ITERS ?? 40);
const CELL_SECONDS = Number(env.BENCH_CELL_SECONDS ?? 1.5);
const WARMUP_SECONDS = Number(env.BENCH_WARMUP_SECONDS ?? 0.2);
const BACKENDS = (env.BENCH_BACKENDS?.split(',') ?? ['native', 'wasm']) as BackendChoice[];
const WASM_MAX_MACS = Number(env.BENCH_WASM_MAX_GMACS ?? 2) * 1e9;
const THREADS = Number(env.BENCH_THREADS ?? 2);
const BATCHES = [1, 8];
/**
 * The target rate the smallest configurations are held to (the latency goal: within 2× of their
 * arithmetic time, where 13.6M MACs count as about 0.3 ms of this machine's compute): ~45 GMAC/s, about
 * PyTorch's own rate on the full MobileNetV1 1.0×-224 when the target was set (568.8M MACs in
 * ~12 ms). The strict yardstick beside it is `peak`, measured in the run.
 */
const TARGET_GMACS = Number(env.BENCH_TARGET_GMACS ?? 45);
if (!(TARGET_GMACS > 0)) throw new Error(`BENCH_TARGET_GMACS: '${env.BENCH_TARGET_GMACS}' is not a positive number of GMAC/s`);
const PYTHON = env.ADAPTNET_PYTHON;
/** BENCH_CONFIGS: indices into each net's configurations (0 the largest), e.g. 3 for the smallest only. */
const CONFIG_INDICES = env.BENCH_CONFIGS?.split(',').map(Number);
/** BENCH_PATHS: the inference paths to time (default all: prepared, prepared-layers, adaptive, exported). */
const PATH_NAMES = env.BENCH_PATHS?.split(',');

for (const name of SELECTED) {
  if (!LATENCY_NETS[name]) throw new Error(`BENCH_NETS: unknown net '${name}' (known: ${Object.keys(LATENCY_NETS).join(', ')})`);
}

const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return (s[lo] as number) + ((s[Math.ceil(i)] as number) - (s[lo] as number)) * (i - lo);
};
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const label = (c: SubnetConfig) => `${c.width}×-${c.resolution}`;

/** Times `run` (forward + read-back of the logits) until ITERS samples or the cell's time is up, after the warm-up. */
function time(run: () => void, iters: number): number[] {
  const warmEnd = performance.now() + WARMUP_SECONDS * 1000;
  for (let i = 0; i < 2 || performance.now() < warmEnd; i++) run();
  const out: number[] = [];
  const start = performance.now();
  while (out.length < iters && (out.length < 3 || performance.now() - start < CELL_SECONDS * 1000)) {
    const t0 = performance.now();
    run();
    out.push(performance.now() - t0);
  }
  return out;
}

interface TorchCell {
  key: string;
  macs: number;
  params: number;
  maxAbsDiff?: number;
  maxAbsLogit?: number;
}

/** PyTorch's side as a child process: builds and checks every cell, then times cells on request. */
class TorchServer {
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly lines: AsyncIterator<string>;

  private constructor(jobFile: string) {
    this.child = spawn(PYTHON as string, [join(here, 'torch_static.py'), jobFile], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  static async start(cells: object[], jobDir: string): Promise<{ server: TorchServer; torch: string; cells: TorchCell[] } | null> {
    if (!PYTHON) return null;
    const jobFile = join(jobDir, 'job.json');
    writeFileSync(jobFile, JSON.stringify({ threads: THREADS, cells }));
    const server = new TorchServer(jobFile);
    const ready = JSON.parse(await server.next()) as { torch: string; cells: TorchCell[] };
    return { server, ...ready };
  }

  private async next(): Promise<string> {
    const r = await this.lines.next();
    if (r.done) throw new Error(`torch_static.py exited (code ${this.child.exitCode}) before answering`);
    return r.value;
  }

  async time(key: string, batch: number, iters: number): Promise<number[]> {
    this.child.stdin.write(`${JSON.stringify({ key, batch, iters, budget_s: CELL_SECONDS, warmup_s: WARMUP_SECONDS })}\n`);
    return (JSON.parse(await this.next()) as { times: number[] }).times;
  }

  close(): void {
    this.child.stdin.end();
  }
}

interface Row {
  net: string;
  config: SubnetConfig;
  batch: number;
  macs: number;
  params: number;
  backend: string;
  path: string;
  medianMs: number;
  p90Ms: number;
  /** The fastest sample: on a loaded machine, the closest to the unloaded time. */
  minMs: number;
  samples: number;
  torchMedianMs: number | null;
  torchP90Ms: number | null;
  torchMinMs: number | null;
  /** Our median over PyTorch's: below 1 is faster. */
  ratioToTorch: number | null;
  /** Full configuration's median over this one's, same path, backend and batch. */
  speedupVsFull: number;
  torchSpeedupVsFull: number | null;
  /**
   * MACs × batch ÷ the peak multiply-add rate (`peak` in the JSON: the best measured in this run,
   * a large oneDNN convolution on the bench's threads, bench/peak-rate.ts), and our median and
   * minimum over it. Filled in at the end, with the run's best peak.
   */
  arithmeticMs?: number;
  overArithmetic?: number;
  minOverArithmetic?: number;
  /** MACs × batch ÷ the target rate (`targetGmacs`), and our median and minimum over it. */
  targetMs: number;
  overTarget: number;
  minOverTarget: number;
}

const rows: Row[] = [];
const switches: { net: string; paths: SwitchTimes[] }[] = [];
const checks: { net: string; config: string; macs: number; torchMacs: number; params: number; torchParams: number; relDiff: number }[] = [];
/** The prepared cache's memory report with every configuration held. */
const memory: ({ net: string; nativePlanBytes: number } & ReturnType<PreparedCache['memory']>)[] = [];
let torchVersion: string | null = null;
let peak: PeakRate | null = null;
const RESULTS = join(here, '..', 'bench-results', 'latency.json');

function overTarget(macs: number, medianMs: number, minMs: number): Pick<Row, 'targetMs' | 'overTarget' | 'minOverTarget'> {
  const targetMs = macs / (TARGET_GMACS * 1e6);
  return { targetMs: Math.round(targetMs * 1e6) / 1e6, overTarget: round3(medianMs / targetMs), minOverTarget: round3(minMs / targetMs) };
}

/** Writes everything measured so far (after each net, so a long run that is stopped keeps its nets). */
function writeResults(): void {
  if (peak !== null) {
    const rate = peak.macsPerMs;
    for (const r of rows) {
      const arithmetic = (r.macs * r.batch) / rate;
      r.arithmeticMs = Math.round(arithmetic * 1e6) / 1e6;
      r.overArithmetic = round3(r.medianMs / arithmetic);
      r.minOverArithmetic = round3(r.minMs / arithmetic);
    }
  }
  const outDir = dirname(RESULTS);
  if (!existsSync(outDir)) mkdirSync(outDir, { recursive: true });
  writeFileSync(
    RESULTS,
    `${JSON.stringify(
      {
        benchmark: 'export/latency',
        torch: torchVersion,
        threads: THREADS,
        peak,
        targetGmacs: TARGET_GMACS,
        rounds: ROUNDS,
        itersPerRound: ITERS,
        cellSeconds: CELL_SECONDS,
        warmupSeconds: WARMUP_SECONDS,
        checks,
        switches,
        memory,
        rows,
        date: new Date().toISOString(),
      },
      null,
      2,
    )}\n`,
  );
}

const work = mkdtempSync(join(tmpdir(), 'adaptnet-latency-'));

try {
  for (const name of SELECTED) {
    const all = LATENCY_NETS[name]!;
    const entry = CONFIG_INDICES ? { ...all, configs: CONFIG_INDICES.map((i) => all.configs[i]!) } : all;
    await initBackend({ backend: 'native', log: false });
    const net: Backbone = entry.make();
    await calibrateAll(net, entry);
    // Switch times first, while every configuration is still cold.
    switches.push({ net: name, paths: measureSwitch(net, entry.configs) });
    const cells = [];
    const costs = new Map<string, { macs: number; params: number }>();
    for (const [i, config] of entry.configs.entries()) {
      const dir = join(work, name, String(i));
      const subnet = exportSubnet(net, config);
      const meta = subnetMetadata(subnet)!;
      await saveSubnet(subnet, dir);
      subnet.dispose();
      costs.set(label(config), { macs: meta.macs, params: meta.exportedParams });
      const x = images(net, config, 1, 7);
      const logits = tf.tidy(() => net.forward(x, { config, training: false }).dataSync() as Float32Array);
      writeFileSync(join(dir, 'input.bin'), x.dataSync() as Float32Array);
      writeFileSync(join(dir, 'expected.bin'), logits);
      x.dispose();
      cells.push({
        key: label(config),
        dir,
        batches: BATCHES,
        input: join(dir, 'input.bin'),
        inputShape: [1, config.resolution, config.resolution, net.inChannels],
        expected: join(dir, 'expected.bin'),
      });
    }
    const ours = new Map<string, number[]>();
    const theirs = new Map<string, number[]>();
    const add = (m: Map<string, number[]>, key: string, xs: number[]) => m.set(key, [...(m.get(key) ?? []), ...xs]);
    const torch = await TorchServer.start(cells, work);
    if (torch) {
      torchVersion = torch.torch;
      for (const c of torch.cells) {
        const ourCost = costs.get(c.key)!;
        const relDiff = (c.maxAbsDiff ?? Number.NaN) / (1 + (c.maxAbsLogit ?? 0));
        checks.push({
          net: name,
          config: c.key,
          macs: ourCost.macs,
          torchMacs: c.macs,
          params: ourCost.params,
          torchParams: c.params,
          relDiff,
        });
        if (c.macs !== ourCost.macs || c.params !== ourCost.params || !(relDiff <= 1e-3)) {
          torch.server.close();
          throw new Error(
            `${name} ${c.key}: the PyTorch net differs from ours (MACs ${c.macs} vs ${ourCost.macs}, params ${c.params} vs ${ourCost.params}, logits rel. diff ${relDiff})`,
          );
        }
      }
    }
    const cache = benchCache(net);
    const layersCache = benchCache(net, false);
    try {
      for (let r = 0; r < ROUNDS; r++) {
        for (const backend of BACKENDS) {
          await initBackend({ backend, log: false });
          const wasm = backend === 'wasm';
          if (!wasm) peak = bestPeak(peak, peakRate(THREADS));
          for (const config of entry.configs) {
            const paths: InferencePath[] = inferencePaths(net, config, cache, wasm ? undefined : layersCache).filter((p) => {
              if (PATH_NAMES === undefined || PATH_NAMES.includes(p.name)) return true;
              p.dispose();
              return false;
            });
            for (const batch of BATCHES) {
              if (wasm && costs.get(label(config))!.macs * batch > WASM_MAX_MACS) continue;
              const x = images(net, config, batch, 3);
              for (const path of paths) {
                const samples = time(() => tf.tidy(() => void path.run(x).dataSync()), wasm ? Math.min(ITERS, 5) : ITERS);
                add(ours, `${backend}|${path.name}|${label(config)}|${batch}`, samples);
              }
              x.dispose();
              // PyTorch right after ours on the same cell, so both see the same machine load.
              if (torch && !wasm) add(theirs, `${label(config)}|${batch}`, await torch.server.time(label(config), batch, ITERS));
            }
            for (const p of paths) p.dispose();
          }
          console.log(`${name} round ${r + 1}/${ROUNDS}: ${backend} done`);
        }
      }
      // nativePlanBytes: what the addon holds for the plans (every configuration's at batch 1 and 8).
      memory.push({ net: name, ...cache.memory(), nativePlanBytes: nativePlanStats().bytes });
    } finally {
      torch?.server.close();
      cache.dispose();
      layersCache.dispose();
    }
    for (const [key, samples] of ours) {
      const [backend, path, cfg, b] = key.split('|') as [string, string, string, string];
      const config = entry.configs.find((c) => label(c) === cfg)!;
      const full = ours.get(`${backend}|${path}|${label(entry.configs[0]!)}|${b}`);
      const torchSamples = theirs.get(`${cfg}|${b}`);
      const torchFull = theirs.get(`${label(entry.configs[0]!)}|${b}`);
      const median = quantile(samples, 0.5);
      const torchMedian = torchSamples ? quantile(torchSamples, 0.5) : null;
      rows.push({
        net: name,
        config,
        batch: Number(b),
        ...costs.get(cfg)!,
        backend,
        path,
        medianMs: round3(median),
        p90Ms: round3(quantile(samples, 0.9)),
        minMs: round3(Math.min(...samples)),
        samples: samples.length,
        torchMedianMs: torchMedian === null ? null : round3(torchMedian),
        torchP90Ms: torchSamples ? round3(quantile(torchSamples, 0.9)) : null,
        torchMinMs: torchSamples ? round3(Math.min(...torchSamples)) : null,
        ratioToTorch: torchMedian === null ? null : round3(median / torchMedian),
        speedupVsFull: full ? round3(quantile(full, 0.5) / median) : Number.NaN,
        torchSpeedupVsFull: torchSamples && torchFull ? round3(quantile(torchFull, 0.5) / (torchMedian as number)) : null,
        ...overTarget(costs.get(cfg)!.macs * Number(b), median, Math.min(...samples)),
      });
    }
    net.dispose();
    writeResults();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(`\nmedian ms (p90) per forward; PyTorch ${torchVersion ?? '(not run: set ADAPTNET_PYTHON)'}, ${THREADS} threads`);
console.log(
  'net          config        batch  MACs       backend/path            ours            torch           ours/torch  speed-up vs full (ours, torch)',
);
for (const r of rows) {
  console.log(
    `${r.net.padEnd(12)} ${label(r.config).padEnd(12)} ${String(r.batch).padStart(5)}  ${`${(r.macs / 1e6).toFixed(1)}M`.padEnd(10)} ${`${r.backend}/${r.path}`.padEnd(22)} ` +
      `${`${r.medianMs.toFixed(2)} (${r.p90Ms.toFixed(2)})`.padEnd(15)} ${(r.torchMedianMs === null ? '-' : `${r.torchMedianMs.toFixed(2)} (${r.torchP90Ms?.toFixed(2)})`).padEnd(15)} ` +
      `${(r.ratioToTorch ?? Number.NaN).toFixed(2).padStart(10)}  ${r.speedupVsFull.toFixed(2)}, ${(r.torchSpeedupVsFull ?? Number.NaN).toFixed(2)}`,
  );
}
for (const s of switches) console.log(`${s.net} switch: ${JSON.stringify(s)}`);
writeResults();
if (peak !== null) {
  console.log(
    `\npeak ${(peak.macsPerMs / 1e6).toFixed(1)} GMAC/s (${peak.shape}); native prepared at the smallest configurations, ÷ arithmetic time:`,
  );
  for (const r of rows) {
    const smallest = LATENCY_NETS[r.net]?.configs.at(-1);
    if (r.backend !== 'native' || !r.path.startsWith('prepared') || smallest === undefined || label(smallest) !== label(r.config)) continue;
    console.log(
      `  ${r.net} ${label(r.config)} batch ${r.batch} ${r.path}: median ${r.overArithmetic}×, min ${r.minOverArithmetic}× (arithmetic ${r.arithmeticMs} ms); ` +
        `÷ the ${TARGET_GMACS} GMAC/s target: median ${r.overTarget}×, min ${r.minOverTarget}×`,
    );
  }
}
console.log(`wrote ${RESULTS}`);
