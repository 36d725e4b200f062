/**
 * 3D train step (forward + cross-entropy + backward + SGD momentum 0.9, lr 0.05 through core's
 * fused sgdStep) of the video bench nets (bench/video-nets.ts; slow-small: batch 8 of
 * 8×64×64×3 clips) on `native`, against the same net in PyTorch (bench/torch_video_nets.py,
 * 2 threads, the faster of channels-last-3d and contiguous) in alternating rounds of
 * BENCH_SECONDS (default 2) each, BENCH_ROUNDS (default 15) of each; medians. One PyTorch process
 * serves all its rounds, so the two sides sample the same moments of a shared machine's load.
 * Also times each BENCH_BACKENDS fallback (e.g. wasm, cpu) for BENCH_FALLBACK_STEPS steps.
 * Writes bench-results/video-step.json.
 *
 * The PyTorch interpreter: ADAPTNET_PYTHON (e.g. a venv with torch 2.13), else /usr/bin/python3
 * (Debian's python3-torch); both are run, and reported separately, when both have torch.
 *
 *   ADAPTNET_PYTHON=/work/venv-torch/bin/python pnpm --filter @adaptnet/backend-native bench:video
 *   BENCH_SECONDS=10 BENCH_ROUNDS=5 BENCH_BACKENDS=wasm,cpu pnpm --filter @adaptnet/backend-native bench:video
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../core/src/node.js';
import { fusedSgdTrainer, median } from './fused-sgd.js';
import { VIDEO_BENCH_NETS, videoBatch } from './video-nets.js';

const here = dirname(fileURLToPath(import.meta.url));
const TORCH_SCRIPT = join(here, 'torch_video_nets.py');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const SELECTED = process.env.BENCH_NETS?.split(',') ?? Object.keys(VIDEO_BENCH_NETS);
const FALLBACKS = process.env.BENCH_BACKENDS?.split(',').filter((b) => b !== '') ?? [];
const FALLBACK_STEPS = Number(process.env.BENCH_FALLBACK_STEPS ?? 3);

interface TorchRun {
  clipsPerSec: number;
  torch: string;
  threads: number;
  memoryFormat: string;
}

const pythons = [...new Set([process.env.ADAPTNET_PYTHON, '/usr/bin/python3'].filter((p): p is string => !!p && existsSync(p)))];

/**
 * One PyTorch process per interpreter, serving rounds on request (torch_video_nets.py "serve"), so
 * rounds alternate with ours every SECONDS without paying Python's start-up each time.
 */
class TorchServer {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private waiting: ((line: string | null) => void) | null = null;
  private closed = false;

  constructor(python: string, net: string, batch: number) {
    this.proc = spawn(python, [TORCH_SCRIPT, net, String(batch), 'serve', 'auto']);
    this.proc.stderr.resume();
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

  private next(): Promise<string | null> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  async ready(): Promise<TorchRun | null> {
    const line = await this.next();
    return line ? (JSON.parse(line) as TorchRun) : null;
  }

  async round(seconds: number): Promise<TorchRun | null> {
    if (this.closed) return null;
    this.proc.stdin.write(`run ${seconds}\n`);
    const line = await this.next();
    return line ? (JSON.parse(line) as TorchRun) : null;
  }

  close(): void {
    if (!this.closed) this.proc.stdin.end('quit\n');
  }
}

/** Clips/s of `steps` timed steps after one warm-up step (or of SECONDS when steps is 0). */
function timeSteps(step: () => void, batch: number, steps: number): number {
  let n = 0;
  const t0 = performance.now();
  while (steps > 0 ? n < steps : performance.now() - t0 < SECONDS * 1000 || n < 3) {
    step();
    n++;
  }
  return (batch * n * 1000) / (performance.now() - t0);
}

interface Row {
  net: string;
  variant: string;
  clipsPerSec: number;
  rounds: number[];
  ratioToPytorch: number | null;
  /** Median over rounds of (our round r / PyTorch's round r), robust to load drifting between rounds. */
  pairedRatioMedian?: number | null;
  torch?: string;
  memoryFormat?: string;
}
const results: Row[] = [];
const round2 = (v: number) => Number(v.toFixed(2));

for (const [name, entry] of Object.entries(VIDEO_BENCH_NETS).filter(([n]) => SELECTED.includes(n))) {
  const fallbackRates: Record<string, number> = {};
  for (const backend of FALLBACKS) {
    await initBackend({ backend: backend as 'wasm' | 'cpu', log: false });
    const { x, y } = videoBatch(entry.batch, entry.input, entry.classes);
    const net = entry.make(0);
    const t = fusedSgdTrainer(net);
    const step = () => t.step(x, y);
    step();
    fallbackRates[backend] = timeSteps(step, entry.batch, FALLBACK_STEPS);
    t.dispose();
    tf.dispose([x, y, ...net.variables]);
  }

  await initBackend({ backend: 'native', log: false });
  const { x, y } = videoBatch(entry.batch, entry.input, entry.classes);
  const net = entry.make(0);
  const t = fusedSgdTrainer(net);
  const step = () => t.step(x, y);
  for (let i = 0; i < 3; i++) step();
  const ours: number[] = [];
  const theirs = new Map<string, { server: TorchServer; runs: TorchRun[]; format: string }>();
  for (const python of pythons) {
    const server = new TorchServer(python, name, entry.batch);
    const hello = await server.ready(); // null: no torch there
    if (hello) theirs.set(python, { server, runs: [], format: hello.memoryFormat });
    else server.close();
  }
  for (let r = 0; r < ROUNDS; r++) {
    ours.push(timeSteps(step, entry.batch, 0));
    for (const acc of theirs.values()) {
      const run = await acc.server.round(SECONDS);
      if (run) acc.runs.push(run);
    }
  }
  for (const acc of theirs.values()) acc.server.close();
  t.dispose();
  tf.dispose([x, y, ...net.variables]);

  const m = median(ours);
  const torchRows = [...theirs.values()]
    .filter((a) => a.runs.length > 0)
    .map((a) => ({
      torch: a.runs[0]?.torch as string,
      memoryFormat: a.format,
      rate: median(a.runs.map((run) => run.clipsPerSec)),
      rounds: a.runs.map((run) => round2(run.clipsPerSec)),
    }));
  const ref = torchRows[0]?.rate ?? null;
  // Round r of ours ran just before round r of PyTorch's: their ratios see nearly the same load.
  const firstTorch = [...theirs.values()][0]?.runs ?? [];
  const paired = firstTorch.map((run, r) => (ours[r] as number) / run.clipsPerSec);
  const pairedRatioMedian = paired.length ? round2(median(paired)) : null;
  results.push({
    net: name,
    variant: 'native',
    clipsPerSec: round2(m),
    rounds: ours.map(round2),
    ratioToPytorch: ref ? round2(m / ref) : null,
    pairedRatioMedian,
  });
  for (const [backend, rate] of Object.entries(fallbackRates)) {
    results.push({
      net: name,
      variant: backend,
      clipsPerSec: round2(rate),
      rounds: [round2(rate)],
      ratioToPytorch: ref ? Number((rate / ref).toFixed(3)) : null,
    });
  }
  for (const row of torchRows) {
    results.push({
      net: name,
      variant: `pytorch ${row.torch}`,
      clipsPerSec: round2(row.rate),
      rounds: row.rounds,
      ratioToPytorch: ref ? round2(row.rate / ref) : null,
      torch: row.torch,
      memoryFormat: row.memoryFormat,
    });
  }
  for (const row of results.filter((r) => r.net === name)) {
    console.log(
      `${name.padEnd(12)} ${row.variant.padEnd(20)} ${row.clipsPerSec.toFixed(2).padStart(8)} clips/s` +
        (row.ratioToPytorch !== null ? `  ${row.ratioToPytorch}× ${torchRows[0] ? `PyTorch ${torchRows[0].torch}` : ''}` : '') +
        (row.pairedRatioMedian ? ` (paired rounds: ${row.pairedRatioMedian}×)` : '') +
        `  rounds ${row.rounds.join(' ')}${row.memoryFormat ? ` (${row.memoryFormat})` : ''}`,
    );
  }
  if (torchRows.length === 0) console.log(`${name}: no PyTorch found (set ADAPTNET_PYTHON to a python with torch)`);
}

const outDir = join(here, '..', 'bench-results');
if (!existsSync(outDir)) mkdirSync(outDir, { recursive: true });
const file = join(outDir, 'video-step.json');
writeFileSync(
  file,
  `${JSON.stringify(
    {
      benchmark: 'backend-native/video-step',
      nets: Object.fromEntries(SELECTED.map((n) => [n, { batch: VIDEO_BENCH_NETS[n]?.batch, input: VIDEO_BENCH_NETS[n]?.input }])),
      secondsPerRound: SECONDS,
      rounds: ROUNDS,
      torchThreads: 2,
      results,
      date: new Date().toISOString(),
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote ${file}`);
