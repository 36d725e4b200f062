import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, type SubnetConfig } from '@adaptnet/core';
import { initBackend, writeFileAtomic } from '@adaptnet/core/node';
import { MFLOPS_UNIT } from '@adaptnet/flops';
import { renderVegaLite } from '@adaptnet/query-table/node';
import { MODEL_DIR } from '@adaptnet/train';
import { type CliOutput, moveAside, RunFolder } from '@adaptnet/train/node';
import { evaluationData, type MeasureOptions, measureConfig, trainConfigOf } from '../measure.js';
import { loadVerifiedDetector, openRun } from '../run-folder.js';
import { RUN_SPEC } from '../run-manifest.js';
import { DEFAULT_RECIPE, prepareRun, type TrainFlags, trainCommand } from './train.js';

export const COMPARE_STRATEGIES = ['individual', 'usnet', 'mutualnet'] as const;
type Compared = (typeof COMPARE_STRATEGIES)[number];

/** Three configurations along the diagonal (TPAMI Fig. 16's idea): full width at the largest size down to 0.25 at the smallest. */
export const DEFAULT_COMPARE_CONFIGS: readonly SubnetConfig[] = [
  { width: 1, resolution: 64 },
  { width: 0.5, resolution: 48 },
  { width: 0.25, resolution: 32 },
];

/** Parses "1:160,0.5:96" into configurations. */
export function parseConfigList(text: string): SubnetConfig[] {
  return text.split(',').map((item) => {
    const m = /^\s*([0-9.]+)\s*[:@x]\s*([0-9]+)\s*$/.exec(item);
    if (!m) throw new ConfigError(`configuration '${item}' is not width:size (e.g. 0.5:96)`);
    return { width: Number(m[1]), resolution: Number(m[2]) };
  });
}

export interface CompareFlags extends Omit<TrainFlags, 'out' | 'strategy' | 'width' | 'size' | 'resume'>, MeasureOptions {
  readonly out: string;
  readonly configs?: readonly SubnetConfig[];
  readonly strategies?: readonly Compared[];
  readonly png?: boolean;
}

export interface CompareRow {
  readonly strategy: Compared;
  readonly config: SubnetConfig;
  readonly macs: number;
  /** AP, AP50, AP75 (COCO, fractions). */
  readonly ap: number;
  readonly ap50: number;
  readonly ap75: number;
  readonly stats: readonly number[];
}

export interface CompareResult {
  readonly configs: readonly SubnetConfig[];
  readonly rows: readonly CompareRow[];
}

export const COMPARE_FILE = 'compare.json';
export const COMPARE_PLOT = 'compare.svg';

const finished = (dir: string) => existsSync(join(dir, MODEL_DIR, 'model.json')) && existsSync(join(dir, 'run.json'));

/** The AP–MFLOPs figure: one line per strategy through its configurations (TPAMI Fig. 16's layout). */
function compareSpec(rows: readonly CompareRow[], title: string) {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 480,
    height: 320,
    background: 'white',
    data: {
      values: rows.map((r) => ({
        strategy: r.strategy,
        mflops: r.macs / 1e6,
        ap: 100 * r.ap,
        config: `${r.config.width}×, ${r.config.resolution}`,
      })),
    },
    layer: [
      {
        mark: { type: 'line', point: { filled: true, size: 60 } },
        encoding: {
          x: { field: 'mflops', type: 'quantitative', title: MFLOPS_UNIT, scale: { type: 'log' } },
          y: { field: 'ap', type: 'quantitative', title: 'box AP (COCO, %)', scale: { zero: false } },
          color: { field: 'strategy', type: 'nominal', sort: [...COMPARE_STRATEGIES], title: 'training' },
          order: { field: 'mflops', type: 'quantitative' },
        },
      },
      {
        mark: { type: 'text', dy: -10, fontSize: 9 },
        transform: [{ filter: "datum.strategy === 'mutualnet'" }],
        encoding: { x: { field: 'mflops', type: 'quantitative' }, y: { field: 'ap', type: 'quantitative' }, text: { field: 'config' } },
      },
    ],
  } as const;
}

const cellOf = (r: Pick<CompareRow, 'strategy' | 'config'>) => `${r.strategy} at ${r.config.width}:${r.config.resolution}`;

/**
 * Why an earlier compare.json must be kept rather than replaced by this run's `rows` (undefined: it
 * holds only cells measured again): it cannot be read, or it holds cells this run did not measure.
 */
async function whyKeepEarlier(path: string, rows: readonly CompareRow[]): Promise<string | undefined> {
  let earlier: string[];
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as { rows?: unknown };
    if (!Array.isArray(parsed.rows)) return 'it cannot be read (no rows)';
    earlier = (parsed.rows as Pick<CompareRow, 'strategy' | 'config'>[]).map(cellOf);
  } catch (e) {
    return `it cannot be read (${(e as Error).message})`;
  }
  const now = new Set(rows.map(cellOf));
  const dropped = earlier.filter((c) => !now.has(c));
  if (dropped.length === 0) return undefined;
  const shown = `${dropped.slice(0, 3).join(', ')}${dropped.length > 3 ? ', …' : ''}`;
  return `it holds ${dropped.length} row${dropped.length > 1 ? 's' : ''} this run does not measure (${shown})`;
}

/**
 * A compare run of a subset (`--strategies mutualnet`, other `--configs`) must not wipe out the rows
 * of an earlier, wider comparison in the same folder: such a compare.json (or one that cannot be
 * read) is moved aside with its plots, deleting nothing.
 */
async function setAsideOtherComparison(dir: string, rows: readonly CompareRow[], out: CliOutput): Promise<void> {
  const path = join(dir, COMPARE_FILE);
  if (!existsSync(path)) return;
  const why = await whyKeepEarlier(path, rows);
  if (why === undefined) return;
  const moved = [await moveAside(path)];
  for (const plot of [COMPARE_PLOT, COMPARE_PLOT.replace(/\.svg$/, '.png')]) {
    if (existsSync(join(dir, plot))) moved.push(await moveAside(join(dir, plot)));
  }
  out.info(`[compare] the earlier ${path}: ${why}; moved it to ${moved.join(', ')}`);
}

/**
 * `adaptnet-detect compare` (TPAMI Fig. 16): trains — or reuses, when `<out>/<run>` holds finished
 * weights — a MutualNet and a US-Net detector and one individually trained detector per
 * configuration on the same data and recipe, then evaluates each at the configurations (BN
 * calibrated per configuration) and prints AP, AP50 and AP75 side by side; writes compare.json and
 * an AP–MFLOPs plot.
 */
export async function compareCommand(flags: CompareFlags, out: CliOutput): Promise<CompareResult> {
  const configs = flags.configs ?? DEFAULT_COMPARE_CONFIGS;
  const strategies = flags.strategies ?? COMPARE_STRATEGIES;
  const sizes = flags.sizes ?? [...new Set([...DEFAULT_RECIPE.resolutions, ...configs.map((c) => c.resolution)])].sort((a, b) => b - a);
  // The whole recipe and every configuration are checked before any run folder is created.
  const { train } = await prepareRun({ ...flags, out: flags.out, strategy: 'mutualnet', sizes });
  const { min, max } = train.widthRange ?? { min: 0.25, max: 1 };
  for (const c of configs) {
    if (c.width < min || c.width > max)
      throw new ConfigError(`--configs: width ${c.width} is outside the trained width range [${min}, ${max}]`);
    if (!sizes.includes(c.resolution)) throw new ConfigError(`--configs: size ${c.resolution} is not among --sizes ${sizes.join(',')}`);
  }
  await initBackend({ log: (line) => out.info(line) });
  const rows: CompareRow[] = [];
  for (const strategy of strategies) {
    const runs: { dir: string; configs: SubnetConfig[] }[] =
      strategy === 'individual'
        ? configs.map((c) => ({ dir: join(flags.out, `individual-w${c.width}-s${c.resolution}`), configs: [c] }))
        : [{ dir: join(flags.out, strategy), configs: [...configs] }];
    for (const run of runs) {
      const only = run.configs[0] as SubnetConfig;
      const runFlags: TrainFlags = {
        ...flags,
        out: run.dir,
        strategy,
        sizes,
        resume: existsSync(join(run.dir, 'run.json')),
        ...(strategy === 'individual' ? { width: only.width, size: only.resolution } : {}),
      };
      if (finished(run.dir)) {
        // train derives these two from the data (the warm-up is a fifth of a short run's steps).
        await RunFolder.checkRecipe(run.dir, (await prepareRun(runFlags)).recipe, RUN_SPEC, {
          mayDiffer: ['train.checkpointEvery', 'train.schedule.warmupSteps'],
        });
        out.info(`[compare] ${strategy}: using the trained weights in ${run.dir} (same recipe)`);
      } else {
        await trainCommand(runFlags, out);
      }
      const folder = await openRun(run.dir);
      const { detector } = await loadVerifiedDetector(folder);
      try {
        const data = await evaluationData(folder.recipe, trainConfigOf(folder.recipe, folder.path('run.json')), flags);
        for (const c of run.configs) {
          const m = await measureConfig(detector, data, c);
          const [ap, ap50, ap75] = m.stats as [number, number, number];
          rows.push({ strategy, config: c, macs: m.macs, ap, ap50, ap75, stats: m.stats });
          out.info(`[compare] ${strategy} at width ${c.width}, size ${c.resolution}: AP ${(100 * ap).toFixed(1)}`);
        }
      } finally {
        detector.dispose();
      }
    }
  }
  const pct = (v: number | undefined) => (v === undefined ? '—' : (100 * v).toFixed(1));
  const lines = [
    `| width, size (MFLOPs) | ${strategies.map((s) => `${s} AP / AP50 / AP75`).join(' | ')} |`,
    `|${'---|'.repeat(strategies.length + 1)}`,
  ];
  for (const c of configs) {
    const at = rows.filter((r) => r.config.width === c.width && r.config.resolution === c.resolution);
    const macs = at[0]?.macs ?? 0;
    const cells = strategies.map((s) => {
      const r = at.find((x) => x.strategy === s);
      return `${pct(r?.ap)} / ${pct(r?.ap50)} / ${pct(r?.ap75)}`;
    });
    lines.push(`| ${c.width}, ${c.resolution} (${(macs / 1e6).toFixed(1)}) | ${cells.join(' | ')} |`);
  }
  out.result(lines.join('\n'));
  await setAsideOtherComparison(flags.out, rows, out);
  await writeFileAtomic(join(flags.out, COMPARE_FILE), `${JSON.stringify({ configs, rows }, null, 2)}\n`);
  const svgPath = join(flags.out, COMPARE_PLOT);
  const pngPath = flags.png ? svgPath.replace(/\.svg$/, '.png') : undefined;
  await renderVegaLite(compareSpec(rows, 'MutualNet vs US-Net vs individual detectors (Fashion-MNIST detection)') as never, {
    svgPath,
    ...(pngPath === undefined ? {} : { pngPath }),
  });
  out.result(`plot: ${svgPath}${pngPath === undefined ? '' : ` (and ${pngPath})`}`);
  return { configs, rows };
}
