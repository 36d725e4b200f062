/**
 * One video train step on `native` against the same network in PyTorch, side by side in the same
 * run: @adaptnet/backbones' slow-small, slowfast-small and x3d-small (batch 8, 64 px; 8, 4 Slow + 16
 * Fast, and 16 frames) at the full configuration (`full`: forward, cross-entropy, backward, SGD
 * momentum 0.9, lr 0.05 through core's fused sgdStep) and as a MutualNet sandwich (`sandwich`: one
 * iteration of @adaptnet/train's video MutualNet strategy, seeded: the full configuration on the
 * labels + two subnets at random width / resolution / frames learning by KL from the detached full
 * logits; SlowFast is two-branch, only its Slow pathway varies). See
 * bench/video-nets.ts and bench/torch_video_nets.py (2 threads, the faster of channels-last-3d and
 * contiguous, picked per row).
 *
 * Rounds alternate with PyTorch's, BENCH_ROUNDS (default 5) each. `full` rounds last BENCH_SECONDS
 * (default 2, at least one step). A `sandwich` step's cost depends on the subnets it samples, so its
 * rounds are exactly one cycle of the BENCH_PAIRS (default 8) seeded iterations on both sides (the
 * same work, whatever the load), after a warm-up cycle that prepares every subnet shape's kernels
 * (oneDNN primitives are made on a shape's first call; timing them once read 0.49× instead of 1.1×);
 * one PyTorch process per interpreter serves all the rounds of a row, so both sides sample the
 * same moments of a shared machine's load. Reported: medians, and the median of the per-round
 * ratios. PyTorch: ADAPTNET_PYTHON (current torch, the ratio), plus Debian's python3-torch where
 * installed (core/fixtures/torch-pythons.ts). Before timing, the PyTorch net's parameter count and
 * its conv + linear multiply-adds (torch.utils.flop_counter) at every configuration the row runs
 * must equal ours (`cost()`), or the bench stops. Writes bench-results/video-step.json.
 *
 *   ADAPTNET_PYTHON=/work/venv-torch/bin/python pnpm --filter @adaptnet/backend-native bench:video
 *   BENCH_NETS=x3d-small BENCH_VARIANTS=full BENCH_SECONDS=1 BENCH_ROUNDS=3 pnpm --filter @adaptnet/backend-native bench:video
 *   BENCH_BACKENDS=wasm pnpm ... bench:video      (adds fallback backends, BENCH_FALLBACK_STEPS steps each)
 *   BENCH_OUT=video-step-x3d.json                 (another file name under bench-results/)
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { type TorchPython, torchPythons } from '../../core/fixtures/torch-pythons.js';
import type { SubnetConfig } from '../../core/src/index.js';
import { initBackend } from '../../core/src/node.js';
import {
  clipShape,
  convLinearMacsPerClip,
  makeVideoNet,
  mutualNetIterations,
  VIDEO_BENCH_NETS,
  VIDEO_NET_NAMES,
  VIDEO_VARIANTS,
  type VideoNetName,
  type VideoVariant,
  videoBatch,
  videoTrainer,
} from './video-nets.js';

const here = dirname(fileURLToPath(import.meta.url));
const TORCH_SCRIPT = join(here, 'torch_video_nets.py');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 8);
const SELECTED = (process.env.BENCH_NETS?.split(',') ?? [...VIDEO_NET_NAMES]) as VideoNetName[];
const VARIANTS = (process.env.BENCH_VARIANTS?.split(',') ?? [...VIDEO_VARIANTS]) as VideoVariant[];
const FALLBACKS = process.env.BENCH_BACKENDS?.split(',').filter((b) => b !== '') ?? [];
const FALLBACK_STEPS = Number(process.env.BENCH_FALLBACK_STEPS ?? 2);
for (const n of SELECTED)
  if (!VIDEO_NET_NAMES.includes(n)) throw new Error(`BENCH_NETS: unknown net '${n}' (known: ${VIDEO_NET_NAMES.join(', ')})`);
for (const v of VARIANTS)
  if (!VIDEO_VARIANTS.includes(v)) throw new Error(`BENCH_VARIANTS: unknown variant '${v}' (known: ${VIDEO_VARIANTS.join(', ')})`);

interface TorchLine {
  clipsPerSec: number;
  torch: string;
  threads: number;
  memoryFormat: string;
  params: number;
  macs: (number | null)[];
}

/** One PyTorch process serving timed rounds on request (torch_video_nets.py "serve"). */
class TorchServer {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private waiting: ((line: string | null) => void) | null = null;
  private closed = false;
  stderr = '';

  constructor(python: string, spec: object) {
    this.proc = spawn(python, [TORCH_SCRIPT, JSON.stringify(spec), 'serve']);
    this.proc.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-2000);
    });
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w(line);
      } else this.lines.push(line);
    });
    this.proc.on('close', () => {
      this.closed = true;
      this.waiting?.(null);
    });
  }

  private async next(): Promise<TorchLine | null> {
    const line =
      this.lines.shift() ??
      (this.closed
        ? null
        : await new Promise<string | null>((r) => {
            this.waiting = r;
          }));
    return line ? (JSON.parse(line) as TorchLine) : null;
  }

  ready(): Promise<TorchLine | null> {
    return this.next();
  }

  /** One round: at least `seconds`, and at least `steps` steps (exactly `steps` when seconds is 0). */
  round(seconds: number, steps: number): Promise<TorchLine | null> {
    if (this.closed) return Promise.resolve(null);
    this.proc.stdin.write(`run ${seconds} ${steps}\n`);
    return this.next();
  }

  close(): void {
    if (!this.closed) this.proc.stdin.end('quit\n');
  }
}

/** Clips/s over `steps` steps (or SECONDS when steps is 0, at least one step). */
function timeSteps(step: () => void, batch: number, steps: number): number {
  let n = 0;
  const t0 = performance.now();
  while (steps > 0 ? n < steps : performance.now() - t0 < SECONDS * 1000 || n < 1) {
    step();
    n++;
  }
  return (batch * n * 1000) / (performance.now() - t0);
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const round2 = (v: number) => Number(v.toFixed(2));

interface Row {
  net: VideoNetName;
  variant: VideoVariant;
  backend: string;
  clipsPerSec: number;
  rounds: number[];
  /** Ours over the warm-up (first calls: every shape's kernels prepared), for comparison with `clipsPerSec`. */
  warmupClipsPerSec?: number;
  /** Versus current PyTorch (ADAPTNET_PYTHON): ratio of medians, and median of same-round ratios. */
  ratioToPytorch: number | null;
  pairedRatioToPytorch: number | null;
  pytorch: { torch: string; role: string; memoryFormat: string; clipsPerSec: number; rounds: number[]; ratio: number }[];
}

const pythons = torchPythons();
for (const p of pythons) console.log(`PyTorch ${p.role}: ${p.torch} (${p.python})`);
const results: Row[] = [];
const verified: Record<string, { params: number; macsPerClip: number[]; configs: SubnetConfig[] }> = {};

/** Writes what has been measured so far (after every row, so an interrupted run keeps its rows). */
function writeResults(): string {
  const outDir = join(here, '..', 'bench-results');
  if (!existsSync(outDir)) mkdirSync(outDir, { recursive: true });
  const file = join(outDir, process.env.BENCH_OUT ?? 'video-step.json');
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        benchmark: 'backend-native/video-step',
        nets: Object.fromEntries(SELECTED.map((n) => [n, VIDEO_BENCH_NETS[n]])),
        pytorch: pythons,
        torchThreads: 2,
        secondsPerRound: SECONDS,
        sandwichStepsPerRound: PAIRS,
        rounds: ROUNDS,
        verifiedAgainstPytorch: verified,
        results,
        date: new Date().toISOString(),
      },
      null,
      2,
    )}\n`,
  );
  return file;
}

for (const name of SELECTED) {
  const entry = VIDEO_BENCH_NETS[name];
  for (const variant of VARIANTS) {
    await initBackend({ backend: 'native', log: false });
    const net = makeVideoNet(name);
    const shape = clipShape(net, entry);
    const sandwich = variant === 'sandwich' ? mutualNetIterations(net, entry.batch, PAIRS) : undefined;
    const pairs = (sandwich?.iterations ?? []).map((it) => {
      const [full, ...subnets] = it;
      if (full?.width !== entry.full.width || full.resolution !== entry.full.resolution || full.frames !== entry.full.frames)
        throw new Error(
          `${name}: the strategy's full configuration ${JSON.stringify(full)} is not the bench's ${JSON.stringify(entry.full)}`,
        );
      return subnets;
    });
    const configs = [entry.full, ...pairs.flat()];
    const params = net.trainableVariables().reduce((s, v) => s + v.size, 0);
    const macs = configs.map((c) => convLinearMacsPerClip(net, name, shape, c));
    const spec = { net: name, batch: entry.batch, variant, format: 'auto', full: entry.full, subnets: variant === 'sandwich' ? pairs : [] };

    const servers: { p: TorchPython; server: TorchServer; runs: TorchLine[]; format: string }[] = [];
    for (const p of pythons) {
      const server = new TorchServer(p.python, spec);
      const hello = await server.ready();
      if (!hello) {
        console.warn(`[bench] ${p.python} failed on ${name}/${variant}: ${server.stderr.trim().split('\n').pop()}`);
        continue;
      }
      if (hello.params !== params) throw new Error(`${name}: PyTorch has ${hello.params} parameters, ours ${params}`);
      hello.macs.forEach((m, i) => {
        if (m !== null && m !== macs[i])
          throw new Error(`${name} ${JSON.stringify(configs[i])}: PyTorch counts ${m} conv + linear MACs per clip, ours ${macs[i]}`);
      });
      if (hello.macs.some((m) => m !== null)) verified[`${name}/${variant}`] = { params, macsPerClip: macs, configs };
      servers.push({ p, server, runs: [], format: hello.memoryFormat });
    }

    const x0 = videoBatch(shape);
    const t = videoTrainer(name, net, entry, variant, sandwich);
    const step = () => t.step(x0.x, x0.y);
    // One whole cycle of warm-up (PyTorch does the same): every shape's kernels are prepared.
    const cycle = sandwich ? sandwich.iterations.length : 1;
    const warmupClipsPerSec = timeSteps(step, entry.batch, sandwich ? cycle : 2);
    const ours: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      ours.push(timeSteps(step, entry.batch, sandwich ? cycle : 0));
      for (const s of servers) {
        const run = await s.server.round(sandwich ? 0 : SECONDS, sandwich ? cycle : 1);
        if (run) s.runs.push(run);
      }
    }
    for (const s of servers) s.server.close();
    t.dispose();
    tf.dispose([x0.x, x0.y]);
    net.dispose();

    const m = median(ours);
    const torchRows = servers
      .filter((s) => s.runs.length > 0)
      .map((s) => {
        const rate = median(s.runs.map((run) => run.clipsPerSec));
        return {
          torch: s.p.torch,
          role: s.p.role,
          memoryFormat: s.format,
          clipsPerSec: round2(rate),
          rounds: s.runs.map((run) => round2(run.clipsPerSec)),
          ratio: round2(m / rate),
          paired: round2(median(s.runs.map((run, i) => (ours[i] as number) / run.clipsPerSec))),
        };
      });
    const current = torchRows.find((r) => r.role === 'current');
    const row: Row = {
      net: name,
      variant,
      backend: 'native',
      clipsPerSec: round2(m),
      rounds: ours.map(round2),
      warmupClipsPerSec: round2(warmupClipsPerSec),
      ratioToPytorch: current?.ratio ?? null,
      pairedRatioToPytorch: current?.paired ?? null,
      pytorch: torchRows.map(({ paired: _, ...r }) => r),
    };
    results.push(row);
    const vs = torchRows
      .map((r) => `${r.ratio}× PyTorch ${r.torch} (${r.clipsPerSec}, ${r.memoryFormat}; same-round ${r.paired}×)`)
      .join('  ');
    console.log(
      `${name.padEnd(15)} ${variant.padEnd(9)} native ${row.clipsPerSec.toFixed(2).padStart(7)} clips/s (warm-up ${row.warmupClipsPerSec})  ${vs || 'no PyTorch'}`,
    );
    writeResults();

    for (const backend of FALLBACKS) {
      await initBackend({ backend: backend as 'wasm' | 'cpu', log: false });
      const fnet = makeVideoNet(name);
      const xb = videoBatch(shape);
      const ft = videoTrainer(
        name,
        fnet,
        entry,
        variant,
        variant === 'sandwich' ? mutualNetIterations(fnet, entry.batch, PAIRS) : undefined,
      );
      ft.step(xb.x, xb.y);
      const rate = timeSteps(() => ft.step(xb.x, xb.y), entry.batch, FALLBACK_STEPS);
      ft.dispose();
      tf.dispose([xb.x, xb.y]);
      fnet.dispose();
      results.push({
        net: name,
        variant,
        backend,
        clipsPerSec: Number(rate.toFixed(3)),
        rounds: [Number(rate.toFixed(3))],
        ratioToPytorch: current ? Number((rate / current.clipsPerSec).toFixed(3)) : null,
        pairedRatioToPytorch: null,
        pytorch: [],
      });
      console.log(`${name.padEnd(15)} ${variant.padEnd(9)} ${backend.padEnd(6)} ${rate.toFixed(3).padStart(7)} clips/s`);
    }
  }
}

console.log(`wrote ${writeResults()}`);
