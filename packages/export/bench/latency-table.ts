/**
 * Markdown tables of a latency run (bench-results/latency.json, or the file given), as the README's
 * latency section shows them: per cell our paths against PyTorch and the arithmetic time, the
 * smallest configurations against their arithmetic time (the strict peak and the target rate), and
 * the switch times.
 *
 *   pnpm --filter @adaptnet/export bench:table [path/to/latency.json]
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Row {
  net: string;
  config: { width: number; resolution: number };
  batch: number;
  macs: number;
  backend: string;
  path: string;
  medianMs: number;
  p90Ms: number;
  minMs: number;
  torchMedianMs: number | null;
  torchMinMs: number | null;
  ratioToTorch: number | null;
  speedupVsFull: number | null;
  torchSpeedupVsFull: number | null;
  arithmeticMs?: number;
  overArithmetic?: number;
  minOverArithmetic?: number;
}
interface Switch {
  net: string;
  paths: {
    path: string;
    configs: string[];
    coldSelectMs: number[];
    coldFirstForwardMs: number[];
    warmSelectMs: number[];
    warmFirstForwardMs: number[];
    steadyForwardMs: number[];
  }[];
}

const here = dirname(fileURLToPath(import.meta.url));
const file = process.argv[2] ?? join(here, '..', 'bench-results', 'latency.json');
const run = JSON.parse(readFileSync(file, 'utf8')) as {
  torch: string | null;
  threads: number;
  peak: { macsPerMs: number; shape: string } | null;
  /** The target rate (GMAC/s); runs before it was recorded used 45. */
  targetGmacs?: number;
  rows: Row[];
  switches: Switch[];
  date: string;
};

const f = (x: number | null | undefined): string => {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
};
const label = (r: Row) => `${r.config.width}×-${r.config.resolution}`;
const key = (r: Row) => `${r.net}|${label(r)}|${r.batch}`;
const find = (r: Row, backend: string, path: string) => run.rows.find((o) => key(o) === key(r) && o.backend === backend && o.path === path);

console.log(
  `PyTorch ${run.torch ?? '(not run)'}, ${run.threads} threads; peak ${run.peak ? (run.peak.macsPerMs / 1e6).toFixed(1) : '–'} GMAC/s (${run.peak?.shape ?? 'not measured'}); ${run.date}\n`,
);
const cells = run.rows.filter((r) => r.backend === 'native' && r.path === 'prepared');
console.log(
  '| net | config | MACs | batch | native prepared (one kernel): median (p90) | min | per-layer prepared: median | min | wasm prepared: median | PyTorch: median | min | prepared / PyTorch (median; min) | per-layer / PyTorch (median) | wasm / PyTorch (median) | speed-up vs full: ours; PyTorch | arithmetic ms | prepared ÷ arithmetic (median; min) |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of cells) {
  const layers = find(r, 'native', 'prepared-layers');
  const wasm = find(r, 'wasm', 'prepared');
  const minRatio = r.torchMinMs ? r.minMs / r.torchMinMs : null;
  console.log(
    `| ${r.net} | ${label(r)} | ${(r.macs / 1e6).toFixed(1)}M | ${r.batch} | ${f(r.medianMs)} (${f(r.p90Ms)}) | ${f(r.minMs)} | ${f(layers?.medianMs)} | ${f(layers?.minMs)} | ${f(wasm?.medianMs)} | ` +
      `${f(r.torchMedianMs)} | ${f(r.torchMinMs)} | ${f(r.ratioToTorch)}; ${f(minRatio)} | ${f(layers?.ratioToTorch)} | ${f(wasm?.ratioToTorch)} | ${f(r.speedupVsFull)}; ${f(r.torchSpeedupVsFull)} | ` +
      `${r.arithmeticMs === undefined ? '–' : r.arithmeticMs.toPrecision(3)} | ${f(r.overArithmetic)}; ${f(r.minOverArithmetic)} |`,
  );
}
// The smallest configurations against both yardsticks: the strict peak measured in the run, and
// the target rate (computed here from the MACs, so older runs without the field print too).
const target = run.targetGmacs ?? 45;
console.log(`\nSmallest configurations, native prepared, against arithmetic time (median; min):\n`);
console.log(
  `| net | config | batch | median ms | min ms | ÷ strict peak (${f(run.peak ? run.peak.macsPerMs / 1e6 : null)} GMAC/s) | ÷ ${target} GMAC/s target |`,
);
console.log('|---|---|---|---|---|---|---|');
const smallest = new Map<string, string>();
for (const r of cells) smallest.set(r.net, label(r));
for (const r of cells.filter((c) => smallest.get(c.net) === label(c))) {
  const targetMs = (r.macs * r.batch) / (target * 1e6);
  console.log(
    `| ${r.net} | ${label(r)} | ${r.batch} | ${r.medianMs.toPrecision(3)} | ${r.minMs.toPrecision(3)} | ${f(r.overArithmetic)}; ${f(r.minOverArithmetic)} | ${f(r.medianMs / targetMs)}; ${f(r.minMs / targetMs)} |`,
  );
}
const others = [
  ...new Set(
    run.rows
      .filter((r) => !(r.backend === 'native' && r.path.startsWith('prepared')) && !(r.backend === 'wasm' && r.path === 'prepared'))
      .map((r) => `${r.backend}/${r.path}`),
  ),
];
if (others.length > 0) {
  console.log(`\nOther paths (median ms): ${others.join(', ')}\n`);
  console.log(`| net | config | batch | ${others.join(' | ')} |`);
  console.log(`|---|---|---|${others.map(() => '---|').join('')}`);
  for (const r of cells) {
    const vals = others.map((o) => {
      const [backend, path] = o.split('/') as [string, string];
      return f(find(r, backend, path)?.medianMs);
    });
    console.log(`| ${r.net} | ${label(r)} | ${r.batch} | ${vals.join(' | ')} |`);
  }
}
console.log('\nSwitch times (batch 1, ms):\n');
console.log(
  '| net | path | config | switch cold (select) | first forward cold | switch warm (select) | first forward warm | steady forward |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const s of run.switches) {
  for (const p of s.paths) {
    p.configs.forEach((c, i) => {
      console.log(
        `| ${s.net} | ${p.path} | ${c} | ${f(p.coldSelectMs[i])} | ${f(p.coldFirstForwardMs[i])} | ${f(p.warmSelectMs[i])} | ${f(p.warmFirstForwardMs[i])} | ${f(p.steadyForwardMs[i])} |`,
      );
    });
  }
}
