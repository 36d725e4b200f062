import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type SubnetConfig } from '@adaptnet/core';
import { initBackend } from '@adaptnet/core/node';
import { MFLOPS_UNIT } from '@adaptnet/flops';
import { MODEL_DIR } from '@adaptnet/train';
import { RunFolder, type WrittenComparison, writeComparison } from '@adaptnet/train/node';
import type { Output } from '../output.js';
import { loadVerifiedModel, openRun } from '../run-folder.js';
import { RUN_SPEC, recipeOf } from '../run-manifest.js';
import { measureGrid } from './evaluate.js';
import { prepareRun, type TrainFlags, trainCommand } from './train.js';

export const COMPARE_STRATEGIES = ['individual', 'usnet', 'mutualnet'] as const;
type Compared = (typeof COMPARE_STRATEGIES)[number];

/** MutualNet Fig. 8's configurations on Fashion-MNIST (docs/reference-recipe.md): width, resolution. */
export const DEFAULT_COMPARE_CONFIGS: readonly SubnetConfig[] = [
  { width: 1, resolution: 28 },
  { width: 0.75, resolution: 24 },
  { width: 0.5, resolution: 20 },
  { width: 0.25, resolution: 16 },
];

/** Parses "1:28,0.75:24" into configurations. */
export function parseConfigList(text: string): SubnetConfig[] {
  return text.split(',').map((item) => {
    const m = /^\s*([0-9.]+)\s*[:@x]\s*([0-9]+)\s*$/.exec(item);
    if (!m) throw new ConfigError(`configuration '${item}' is not width:resolution (e.g. 0.5:20)`);
    return { width: Number(m[1]), resolution: Number(m[2]) };
  });
}

export interface CompareFlags extends Omit<TrainFlags, 'out' | 'strategy' | 'width' | 'resolution' | 'resume'> {
  readonly out: string;
  readonly configs?: readonly SubnetConfig[];
  readonly strategies?: readonly Compared[];
  readonly calibrationSamples?: number;
  readonly maxBatches?: number;
  /** Also render the plot as PNG. */
  readonly png?: boolean;
}

export interface CompareResult {
  readonly configs: readonly SubnetConfig[];
  /** Top-1 by strategy, one per configuration. */
  readonly top1: Readonly<Record<string, readonly number[]>>;
  readonly macs: readonly number[];
  /** Where compare.json and its plot were written. */
  readonly written: WrittenComparison;
}

async function finished(dir: string): Promise<boolean> {
  return existsSync(join(dir, MODEL_DIR, 'model.json')) && existsSync(join(dir, 'run.json'));
}

/**
 * `adaptnet-classify compare` (MutualNet Fig. 8): trains — or loads, when `<out>/<run>` already
 * holds finished weights — MutualNet, US-Net and one individually-trained network per
 * configuration on the same data and recipe, then prints top-1 side by side; writes compare.json
 * and a top-1–MFLOPs plot.
 */
export async function compareCommand(flags: CompareFlags, out: Output): Promise<CompareResult> {
  const configs = flags.configs ?? DEFAULT_COMPARE_CONFIGS;
  const strategies = flags.strategies ?? COMPARE_STRATEGIES;
  const resolutions = flags.resolutions ?? [...new Set([28, ...configs.map((c) => c.resolution)])].sort((a, b) => b - a);
  // The whole recipe and every configuration are checked before any run folder is created.
  const { manifest: recipe } = await prepareRun({ ...flags, out: flags.out, strategy: 'mutualnet', resolutions });
  const { min, max } = recipe.model.widthRange;
  for (const c of configs) {
    if (c.width < min || c.width > max)
      throw new ConfigError(`--configs: width ${c.width} is outside the trained width range [${min}, ${max}]`);
    if (!resolutions.includes(c.resolution)) {
      throw new ConfigError(`--configs: resolution ${c.resolution} is not among --resolutions ${resolutions.join(',')}`);
    }
  }
  await initBackend({ log: (line) => out.info(line) });
  const top1: Record<string, number[]> = {};
  let macs: number[] = [];
  for (const strategy of strategies) {
    const runs: { dir: string; configs: SubnetConfig[] }[] =
      strategy === 'individual'
        ? configs.map((c) => ({ dir: join(flags.out, `individual-w${c.width}-r${c.resolution}`), configs: [c] }))
        : [{ dir: join(flags.out, strategy), configs: [...configs] }];
    top1[strategy] = [];
    const rowMacs: number[] = [];
    for (const run of runs) {
      const only = run.configs[0] as SubnetConfig;
      const runFlags: TrainFlags = {
        ...flags,
        out: run.dir,
        strategy,
        resolutions,
        resume: true,
        ...(strategy === 'individual' ? { width: only.width, resolution: only.resolution } : {}),
      };
      if (await finished(run.dir)) {
        await RunFolder.checkRecipe(run.dir, recipeOf((await prepareRun(runFlags)).manifest), RUN_SPEC, {
          mayDiffer: ['train.checkpointEvery'],
        });
        out.info(`[compare] ${strategy}: using the trained weights in ${run.dir} (same recipe)`);
      } else {
        await trainCommand(runFlags, out);
      }
      const { folder, manifest } = await openRun(run.dir);
      const { model } = await loadVerifiedModel(folder, manifest);
      try {
        for (const c of run.configs) {
          const table = await measureGrid(
            manifest,
            model,
            { widths: [c.width], resolutions: [c.resolution] },
            {
              ...(flags.calibrationSamples === undefined ? {} : { calibrationSamples: flags.calibrationSamples }),
              ...(flags.maxBatches === undefined ? {} : { maxBatches: flags.maxBatches }),
            },
          );
          const row = table.rows[0];
          if (row === undefined) throw new ConfigError(`no result for ${strategy} at width ${c.width}, resolution ${c.resolution}`);
          top1[strategy].push(row.top1);
          rowMacs.push(row.macs);
        }
      } finally {
        model.dispose();
      }
    }
    macs = rowMacs;
  }
  const header = `| width, res (MACs) | ${strategies.join(' | ')} |`;
  const lines = [header, `|${'---|'.repeat(strategies.length + 1)}`];
  configs.forEach((c, i) => {
    const cells = strategies.map((s) => ((top1[s]?.[i] ?? Number.NaN) * 100).toFixed(2));
    lines.push(`| ${c.width}, ${c.resolution} (${((macs[i] ?? 0) / 1e6).toFixed(3)}M) | ${cells.join(' | ')} |`);
  });
  out.result(lines.join('\n'));
  const rows = strategies.flatMap((strategy) =>
    configs.map((config, i) => ({ strategy, config, macs: macs[i] ?? 0, top1: top1[strategy]?.[i] ?? Number.NaN })),
  );
  const written = await writeComparison(flags.out, configs, rows, {
    value: (r) => r.top1,
    yTitle: 'top-1 (%)',
    xTitle: MFLOPS_UNIT,
    title: 'MutualNet vs US-Net vs individually trained networks (Fashion-MNIST)',
    strategies: COMPARE_STRATEGIES,
    ...(flags.png === undefined ? {} : { png: flags.png }),
    out,
  });
  return { configs, top1, macs, written };
}
