import { MFLOPS_UNIT } from '@adaptnet/flops';
import type { TopLevelSpec } from 'vega-lite';
import { noLatencyError, type QueryTable } from './query-table.js';
import type { CostKind } from './types.js';

export interface PlotOptions {
  readonly title?: string;
  /** x axis: MFLOPs (default) or latency in ms (tables with latency only). */
  readonly cost?: CostKind;
  /** Plot area in pixels. Defaults 560 × 360. */
  readonly width?: number;
  readonly height?: number;
}

/** A Vega-Lite specification (plain JSON). */
export type PlotSpec = TopLevelSpec;

/** Names of the plot's layers; their marks carry `<name>_marks` as an SVG class. */
export const PLOT_LAYERS = { rows: 'rows', frontierLine: 'frontier_line', frontierPoints: 'frontier_points' } as const;

/**
 * The accuracy–cost plot of MutualNet Fig. 5 / 9 as a Vega-Lite spec: every configuration as a faint
 * point coloured by resolution (one colour per resolution, largest first in the legend), the
 * frontier as a black line through outlined points in the colour of their resolution.
 */
export function plotSpec(table: QueryTable, options: PlotOptions = {}): PlotSpec {
  const cost = options.cost ?? 'macs';
  if (cost === 'latencyMs' && !table.hasLatency) throw noLatencyError();
  const frontier = new Set((cost === 'macs' ? table.frontier : table.latencyFrontier).map((r) => r.key));
  const values = table.rows.map((r) => ({
    cost: cost === 'macs' ? r.macs / 1e6 : r.latencyMs,
    top1: 100 * r.top1,
    top5: 100 * r.top5,
    width: r.config.width,
    resolution: String(r.config.resolution),
    config: r.key,
    frontier: frontier.has(r.key),
  }));
  const resolutions = [...new Set(table.rows.map((r) => r.config.resolution))].sort((a, b) => b - a).map(String);
  const x = { field: 'cost', type: 'quantitative', title: cost === 'macs' ? MFLOPS_UNIT : 'latency (ms)' } as const;
  const y = { field: 'top1', type: 'quantitative', title: 'top-1 accuracy (%)', scale: { zero: false } } as const;
  const color = {
    field: 'resolution',
    type: 'nominal',
    title: 'resolution',
    scale: { domain: resolutions, scheme: 'category10' },
    legend: { symbolOpacity: 1 },
  } as const;
  const tooltip = [{ field: 'config' }, { field: 'width' }, { field: 'resolution' }, { field: 'top5', title: 'top-5 (%)' }];
  const onFrontier = [{ filter: 'datum.frontier' }];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title === undefined ? {} : { title: options.title }),
    width: options.width ?? 560,
    height: options.height ?? 360,
    background: 'white',
    data: { values },
    layer: [
      {
        name: PLOT_LAYERS.rows,
        mark: { type: 'point', filled: true, opacity: 0.35, size: 30 },
        encoding: { x, y, color, tooltip },
      },
      {
        name: PLOT_LAYERS.frontierLine,
        transform: onFrontier,
        mark: { type: 'line', color: 'black', strokeWidth: 1.5 },
        encoding: { x, y, order: { field: 'cost', type: 'quantitative' } },
      },
      {
        name: PLOT_LAYERS.frontierPoints,
        transform: onFrontier,
        mark: { type: 'point', filled: true, opacity: 1, size: 70, stroke: 'black', strokeWidth: 1 },
        encoding: { x, y, color, tooltip },
      },
    ],
  };
}
