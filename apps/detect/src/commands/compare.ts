import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type SubnetConfig } from '@adaptnet/core';
import { initBackend } from '@adaptnet/core/node';
import { MFLOPS_UNIT } from '@adaptnet/flops';
import { MODEL_DIR } from '@adaptnet/train';
import { type CliOutput, RunFolder, type WrittenComparison, writeComparison } from '@adaptnet/train/node';
import { evaluationData, type MeasureOptions, measureConfig, trainConfigOf } from '../measure.js';
import { loadVerifiedDetector, openRun } from '../run-folder.js';
import { RUN_SPEC } from '../run-manifest.js';
import { DEFAULT_RECIPE, prepareRun, type TrainFlags, trainCommand } from './train.js';

export { COMPARE_FILE, COMPARE_PLOT } from '@adaptnet/train/node';

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
  /** Where compare.json and its plot were written. */
  readonly written: WrittenComparison;
}

const finished = (dir: string) => existsSync(join(dir, MODEL_DIR, 'model.json')) && existsSync(join(dir, 'run.json'));

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
  const written = await writeComparison(flags.out, configs, rows, {
    value: (r) => r.ap,
    yTitle: 'box AP (COCO, %)',
    xTitle: MFLOPS_UNIT,
    title: 'MutualNet vs US-Net vs individual detectors (Fashion-MNIST detection)',
    strategies: COMPARE_STRATEGIES,
    ...(flags.png === undefined ? {} : { png: flags.png }),
    out,
  });
  return { configs, rows, written };
}
