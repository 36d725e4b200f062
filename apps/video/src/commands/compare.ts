import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type SubnetConfig } from '@adaptnet/core';
import { initBackend } from '@adaptnet/core/node';
import { formatMflopsValue, MFLOPS_UNIT } from '@adaptnet/flops';
import { MODEL_DIR } from '@adaptnet/train';
import { RunFolder, type WrittenComparison, writeComparison } from '@adaptnet/train/node';
import type { Output } from '../output.js';
import { loadVerifiedModel, openRun } from '../run-folder.js';
import { RUN_SPEC, recipeOf } from '../run-manifest.js';
import { measureGrid } from './evaluate.js';
import { prepareRun, type TrainFlags, trainCommand } from './train.js';

export const COMPARE_STRATEGIES = ['individual', 'usnet', 'mutualnet'] as const;
type Compared = (typeof COMPARE_STRATEGIES)[number];

/** Parses "1:32:8,0.75:24:5" (width:resolution:frames) into configurations. */
export function parseConfigList(text: string): SubnetConfig[] {
  return text.split(',').map((item) => {
    const m = /^\s*([0-9.]+)\s*:\s*([0-9]+)\s*:\s*([0-9]+)\s*$/.exec(item);
    if (!m) throw new ConfigError(`--configs: '${item}' is not width:resolution:frames (e.g. 0.75:24:5)`);
    return { width: Number(m[1]), resolution: Number(m[2]), frames: Number(m[3]) };
  });
}

/**
 * Four points from the full network to the smallest: (max width, largest side, most frames), then
 * one step down in each dimension at a time, as the trained sets allow.
 */
export function defaultCompareConfigs(
  width: { min: number; max: number },
  resolutions: readonly number[],
  frames: readonly number[],
): SubnetConfig[] {
  const r = [...resolutions].sort((a, b) => b - a);
  const t = [...frames].sort((a, b) => b - a);
  const at = (list: number[], i: number) => list[Math.min(i, list.length - 1)] as number;
  const mid = Number(((width.min + width.max) / 2).toFixed(3));
  const points: SubnetConfig[] = [
    { width: width.max, resolution: at(r, 0), frames: at(t, 0) },
    { width: width.max, resolution: at(r, 1), frames: at(t, 1) },
    { width: mid, resolution: at(r, 1), frames: at(t, 2) },
    { width: width.min, resolution: at(r, 2), frames: at(t, 2) },
  ];
  const seen = new Set<string>();
  return points.filter((p) => {
    const key = `${p.width}:${p.resolution}:${p.frames}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface CompareFlags extends Omit<TrainFlags, 'out' | 'strategy' | 'width' | 'resolution' | 'clipFrames' | 'resume'> {
  readonly out?: string;
  readonly configs?: readonly SubnetConfig[];
  readonly strategies?: readonly Compared[];
  readonly calibrationClips?: number;
  readonly maxBatches?: number;
  /** Also render the plot as PNG. */
  readonly png?: boolean;
}

export interface CompareResult {
  readonly configs: readonly SubnetConfig[];
  /** Top-1 by strategy, one per configuration. */
  readonly top1: Readonly<Record<string, readonly number[]>>;
  /** Multiply-adds per view of each configuration. */
  readonly macs: readonly number[];
  /** Seconds per epoch of each strategy's training (individual: the mean over its networks), when trained in this call. */
  readonly secondsPerEpoch: Readonly<Record<string, number>>;
  /** Where compare.json and its plot were written. */
  readonly written: WrittenComparison;
}

async function finished(dir: string): Promise<boolean> {
  return existsSync(join(dir, MODEL_DIR, 'model.json')) && existsSync(join(dir, 'run.json'));
}

export const DEFAULT_COMPARE_DIR = 'runs/video-compare';

/**
 * `adaptnet-video compare` (MutualNet TPAMI §6.5): trains — or loads, when `<out>/<run>` already
 * holds finished weights — MutualNet, US-Net and one individually trained network per
 * configuration with the same clips and recipe, then prints top-1 side by side; writes compare.json
 * and a top-1–MFLOPs plot.
 */
export async function compareCommand(flags: CompareFlags, out: Output): Promise<CompareResult> {
  const dir = flags.out ?? DEFAULT_COMPARE_DIR;
  const strategies = flags.strategies ?? COMPARE_STRATEGIES;
  // The whole recipe and every configuration are checked before any run folder is created.
  const { manifest: recipe } = await prepareRun({ ...flags, out: dir, strategy: 'mutualnet' });
  const { min, max } = recipe.model.widthRange;
  const resolutions = recipe.train.resolutions;
  const frames = recipe.train.frames ?? [];
  const configs = flags.configs ?? defaultCompareConfigs({ min, max }, resolutions, frames);
  for (const c of configs) {
    if (c.width < min || c.width > max)
      throw new ConfigError(`--configs: width ${c.width} is outside the trained width range [${min}, ${max}]`);
    if (!resolutions.includes(c.resolution))
      throw new ConfigError(`--configs: resolution ${c.resolution} is not among --resolutions ${resolutions.join(',')}`);
    if (!frames.includes(c.frames as number))
      throw new ConfigError(`--configs: frames ${c.frames} is not among --frames ${frames.join(',')}`);
  }
  await initBackend({ log: (line) => out.info(line) });
  const top1: Record<string, number[]> = {};
  const secondsPerEpoch: Record<string, number> = {};
  let macs: number[] = [];
  for (const strategy of strategies) {
    const runs: { dir: string; configs: SubnetConfig[] }[] =
      strategy === 'individual'
        ? configs.map((c) => ({ dir: join(dir, `individual-w${c.width}-r${c.resolution}-t${c.frames}`), configs: [c] }))
        : [{ dir: join(dir, strategy), configs: [...configs] }];
    top1[strategy] = [];
    const rowMacs: number[] = [];
    const epochSeconds: number[] = [];
    for (const run of runs) {
      const only = run.configs[0] as SubnetConfig;
      const runFlags: TrainFlags = {
        ...flags,
        out: run.dir,
        strategy,
        resume: true,
        eval: false,
        ...(strategy === 'individual' ? { width: only.width, resolution: only.resolution, clipFrames: only.frames as number } : {}),
      };
      if (await finished(run.dir)) {
        await RunFolder.checkRecipe(run.dir, recipeOf((await prepareRun(runFlags)).manifest), RUN_SPEC, {
          mayDiffer: ['train.checkpointEvery'],
        });
        out.info(`[compare] ${strategy}: using the trained weights in ${run.dir} (same recipe)`);
      } else {
        const summary = await trainCommand(runFlags, out);
        epochSeconds.push(summary.seconds / recipe.train.epochs);
      }
      const { folder, manifest } = await openRun(run.dir);
      const { model } = await loadVerifiedModel(folder, manifest);
      try {
        for (const c of run.configs) {
          const table = await measureGrid(
            manifest,
            model,
            { widths: [c.width], resolutions: [c.resolution], frames: [c.frames as number] },
            {
              ...(flags.calibrationClips === undefined ? {} : { calibrationClips: flags.calibrationClips }),
              ...(flags.maxBatches === undefined ? {} : { maxBatches: flags.maxBatches }),
            },
          );
          const row = table.rows[0];
          if (row === undefined) throw new ConfigError(`no result for ${strategy} at ${c.width}:${c.resolution}:${c.frames}`);
          top1[strategy].push(row.top1);
          rowMacs.push(row.macs);
        }
      } finally {
        model.dispose();
      }
    }
    if (epochSeconds.length > 0) secondsPerEpoch[strategy] = epochSeconds.reduce((s, v) => s + v, 0) / epochSeconds.length;
    macs = rowMacs;
  }
  const header = `| width, size, frames (MFLOPs/view) | ${strategies.join(' | ')} |`;
  const lines = [header, `|${'---|'.repeat(strategies.length + 1)}`];
  configs.forEach((c, i) => {
    const cells = strategies.map((s) => ((top1[s]?.[i] ?? Number.NaN) * 100).toFixed(2));
    lines.push(`| ${c.width}, ${c.resolution}, ${c.frames} (${formatMflopsValue(macs[i] ?? 0, 3)}) | ${cells.join(' | ')} |`);
  });
  const timed = strategies.filter((s) => secondsPerEpoch[s] !== undefined);
  if (timed.length > 0)
    lines.push(`seconds per epoch: ${timed.map((s) => `${s} ${(secondsPerEpoch[s] as number).toFixed(1)}`).join(', ')}`);
  out.result(lines.join('\n'));
  const rows = strategies.flatMap((strategy) =>
    configs.map((config, i) => ({ strategy, config, macs: macs[i] ?? 0, top1: top1[strategy]?.[i] ?? Number.NaN })),
  );
  const written = await writeComparison(dir, configs, rows, {
    value: (r) => r.top1,
    yTitle: 'top-1 (%)',
    xTitle: `${MFLOPS_UNIT} per view`,
    title: 'MutualNet vs US-Net vs individually trained video networks',
    strategies: COMPARE_STRATEGIES,
    ...(flags.png === undefined ? {} : { png: flags.png }),
    extra: { secondsPerEpoch },
    out,
  });
  return { configs, top1, macs, secondsPerEpoch, written };
}
