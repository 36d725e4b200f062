import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SubnetConfig } from '@adaptnet/core';
import { writeFileAtomic } from '@adaptnet/core/node';
import { renderVegaLite } from '@adaptnet/query-table/node';
import type { CliOutput } from './cli-runner.js';
import { moveAside } from './move-aside.js';

type VegaLiteSpec = Parameters<typeof renderVegaLite>[0];

/** What every app's `compare` writes into its folder of runs: the rows, and their plot beside them. */
export const COMPARE_FILE = 'compare.json';
export const COMPARE_PLOT = 'compare.svg';

/** One measured cell of a `compare` command: one strategy's network at one configuration. */
export interface ComparedRow {
  readonly strategy: string;
  readonly config: SubnetConfig;
  /** Multiply-adds of one forward (per view for video). */
  readonly macs: number;
}

export interface WriteComparisonOptions<R extends ComparedRow> {
  /** The metric the plot draws, as a fraction (top-1, box AP); plotted in %. */
  readonly value: (row: R) => number;
  /** The y axis, e.g. `'top-1 (%)'`. */
  readonly yTitle: string;
  /** The x axis (the rows' MACs in millions), e.g. `'MFLOPs'`. */
  readonly xTitle: string;
  readonly title: string;
  /** Every strategy in legend order; the last one's points are labelled with their configuration. */
  readonly strategies: readonly string[];
  /** Also render `compare.png`. */
  readonly png?: boolean;
  /** More top-level fields for compare.json (e.g. seconds per epoch); `configs` and `rows` are the function's. */
  readonly extra?: Readonly<Record<string, unknown>>;
  /** `info`: that an earlier comparison was moved aside; `result`: where the plot is (`plot: …`). */
  readonly out: CliOutput;
}

export interface WrittenComparison {
  readonly path: string;
  readonly svgPath: string;
  readonly pngPath?: string;
  /** Where an earlier comparison's files went (empty when there was none to keep). */
  readonly movedAside: readonly string[];
}

const cellOf = (r: Pick<ComparedRow, 'strategy' | 'config'>) =>
  `${r.strategy} at ${r.config.width}:${r.config.resolution}${r.config.frames === undefined ? '' : `:${r.config.frames}`}`;

const configLabel = (c: SubnetConfig) => `${c.width}×, ${c.resolution}${c.frames === undefined ? '' : `, ${c.frames}f`}`;

/**
 * Why an earlier compare.json must be kept rather than replaced by `rows` (undefined: it holds only
 * cells measured again): it cannot be read, or it holds cells these rows do not measure.
 */
async function whyKeepEarlier(path: string, rows: readonly ComparedRow[]): Promise<string | undefined> {
  let earlier: string[];
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as { rows?: unknown };
    if (!Array.isArray(parsed.rows)) return 'it cannot be read (no rows)';
    earlier = (parsed.rows as ComparedRow[]).map(cellOf);
  } catch (e) {
    return `it cannot be read (${(e as Error).message})`;
  }
  const now = new Set(rows.map(cellOf));
  const dropped = earlier.filter((c) => !now.has(c));
  if (dropped.length === 0) return undefined;
  const shown = `${dropped.slice(0, 3).join(', ')}${dropped.length > 3 ? ', …' : ''}`;
  return `it holds ${dropped.length} row${dropped.length > 1 ? 's' : ''} this run does not measure (${shown})`;
}

/** The metric–MFLOPs figure: one line per strategy through its configurations (MutualNet's Fig. 8 and 16). */
function comparisonSpec<R extends ComparedRow>(rows: readonly R[], options: WriteComparisonOptions<R>): VegaLiteSpec {
  const labelled = options.strategies.at(-1);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: options.title,
    width: 480,
    height: 320,
    background: 'white',
    data: {
      values: rows.map((r) => ({
        strategy: r.strategy,
        mflops: r.macs / 1e6,
        value: 100 * options.value(r),
        config: configLabel(r.config),
      })),
    },
    layer: [
      {
        mark: { type: 'line', point: { filled: true, size: 60 } },
        encoding: {
          x: { field: 'mflops', type: 'quantitative', title: options.xTitle, scale: { type: 'log' } },
          y: { field: 'value', type: 'quantitative', title: options.yTitle, scale: { zero: false } },
          color: { field: 'strategy', type: 'nominal', sort: [...options.strategies], title: 'training' },
          order: { field: 'mflops', type: 'quantitative' },
        },
      },
      {
        mark: { type: 'text', dy: -10, fontSize: 9 },
        transform: [{ filter: { field: 'strategy', equal: labelled ?? '' } }],
        encoding: {
          x: { field: 'mflops', type: 'quantitative' },
          y: { field: 'value', type: 'quantitative' },
          text: { field: 'config' },
        },
      },
    ],
  };
}

/**
 * Writes a `compare` command's rows to `<dir>/compare.json` (`{ configs, rows, ...extra }`) and
 * draws them (`compare.svg`, and `compare.png` with `png`). A subset run (`--strategies mutualnet`,
 * other `--configs`) must not wipe out an earlier, wider comparison: an earlier compare.json holding
 * a cell these rows do not measure, or one that cannot be read, is moved aside with its plots as
 * `<name>.stale-<UTC time>`, deleting nothing. One holding only cells measured again is replaced.
 */
export async function writeComparison<R extends ComparedRow>(
  dir: string,
  configs: readonly SubnetConfig[],
  rows: readonly R[],
  options: WriteComparisonOptions<R>,
): Promise<WrittenComparison> {
  const path = join(dir, COMPARE_FILE);
  const svgPath = join(dir, COMPARE_PLOT);
  const pngFile = svgPath.replace(/\.svg$/, '.png');
  const pngPath = options.png ? pngFile : undefined;
  const movedAside: string[] = [];
  const why = existsSync(path) ? await whyKeepEarlier(path, rows) : undefined;
  if (why !== undefined) {
    for (const file of [path, svgPath, pngFile]) {
      if (existsSync(file)) movedAside.push(await moveAside(file));
    }
    options.out.info(`[compare] the earlier ${path}: ${why}; moved it to ${movedAside.join(', ')}`);
  }
  await writeFileAtomic(path, `${JSON.stringify({ ...options.extra, configs, rows }, null, 2)}\n`);
  await renderVegaLite(comparisonSpec(rows, options), { svgPath, ...(pngPath === undefined ? {} : { pngPath }) });
  options.out.result(`plot: ${svgPath}${pngPath === undefined ? '' : ` (and ${pngPath})`}`);
  return { path, svgPath, ...(pngPath === undefined ? {} : { pngPath }), movedAside };
}
