import { MFLOPS_UNIT } from '@adaptnet/flops';
import type { TopLevelSpec } from 'vega-lite';
import { noLatencyError, type QueryTable } from './query-table.js';
import type { CostKind, MetricRow, StepChange } from './types.js';

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
export const PLOT_LAYERS = {
  rows: 'rows',
  frontierLine: 'frontier_line',
  frontierPoints: 'frontier_points',
  /** Video tables: one rule per frontier step, coloured by the dimension it changes. */
  frontierSegments: 'frontier_segments',
} as const;

/** TPAMI Fig. 18's colours: red spatial, green temporal, blue width, black several dimensions at once. */
export const STEP_COLORS: Readonly<Record<StepChange, string>> = Object.freeze({
  spatial: '#d62728',
  temporal: '#2ca02c',
  width: '#1f77b4',
  several: '#000000',
});

const STEP_ORDER: readonly StepChange[] = ['spatial', 'temporal', 'width', 'several'];

/**
 * The accuracy–cost plot as a Vega-Lite spec. 2D tables (MutualNet Fig. 5 / 9): every
 * configuration as a faint point coloured by resolution (one colour per resolution, largest first in
 * the legend), the frontier as a black line through outlined points in the colour of their
 * resolution. Video tables (TPAMI Fig. 18): the points' shapes say the frames (one shape per
 * frame count), and the frontier is drawn as segments coloured by the dimension each step changes
 * (`STEP_COLORS`: spatial red, temporal green, width blue, several black). The y axis is the
 * table's metric (percent for fractions).
 */
export function plotSpec<R extends MetricRow>(table: QueryTable<R>, options: PlotOptions = {}): PlotSpec {
  const cost = options.cost ?? 'macs';
  if (cost === 'latencyMs' && !table.hasLatency) throw noLatencyError();
  const steps = table.frontierSteps(cost);
  const frontier = new Set(steps.map((s) => s.row.key));
  const percent = table.rows.every(
    (r) => r.value >= 0 && r.value <= 1 && (r.secondary === undefined || (r.secondary >= 0 && r.secondary <= 1)),
  );
  const scale = percent ? 100 : 1;
  const costOf = (r: MetricRow) => (cost === 'macs' ? r.macs / 1e6 : (r.latencyMs as number));
  const video = table.isVideo;
  const values = table.rows.map((r) => ({
    cost: costOf(r),
    value: scale * r.value,
    ...(r.secondary === undefined ? {} : { secondary: scale * r.secondary }),
    width: r.config.width,
    resolution: String(r.config.resolution),
    ...(r.config.frames === undefined ? {} : { frames: String(r.config.frames) }),
    config: r.key,
    frontier: frontier.has(r.key),
  }));
  const resolutions = [...new Set(table.rows.map((r) => r.config.resolution))].sort((a, b) => b - a).map(String);
  const frames = [...new Set(table.rows.flatMap((r) => (r.config.frames === undefined ? [] : [r.config.frames])))]
    .sort((a, b) => b - a)
    .map(String);
  const metric = table.metric;
  const viewsNote = table.views > 1 ? ` per view (× ${table.views} views)` : '';
  const x = {
    field: 'cost',
    type: 'quantitative',
    title: cost === 'macs' ? `${MFLOPS_UNIT}${viewsNote}` : 'latency (ms)',
  } as const;
  const y = { field: 'value', type: 'quantitative', title: `${metric.name}${percent ? ' (%)' : ''}`, scale: { zero: false } } as const;
  const color = {
    field: 'resolution',
    type: 'nominal',
    title: 'resolution',
    scale: { domain: resolutions, scheme: 'category10' },
    legend: { symbolOpacity: 1 },
  } as const;
  const shape = video ? { shape: { field: 'frames', type: 'nominal', title: 'frames', scale: { domain: frames } } as const } : {};
  const tooltip = [
    { field: 'config' },
    { field: 'width' },
    { field: 'resolution' },
    ...(video ? [{ field: 'frames' }] : []),
    ...(metric.secondary === undefined ? [] : [{ field: 'secondary', title: `${metric.secondary}${percent ? ' (%)' : ''}` }]),
  ];
  const onFrontier = [{ filter: 'datum.frontier' }];
  const layerHead = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title === undefined ? {} : { title: options.title }),
    width: options.width ?? 560,
    height: options.height ?? 360,
    background: 'white',
  } as const;
  const rowsLayer = {
    name: PLOT_LAYERS.rows,
    mark: { type: 'point', filled: true, opacity: 0.35, size: 30 },
    encoding: { x, y, color, ...shape, tooltip },
  } as const;
  const pointsLayer = {
    name: PLOT_LAYERS.frontierPoints,
    transform: onFrontier,
    mark: { type: 'point', filled: true, opacity: 1, size: 70, stroke: 'black', strokeWidth: 1 },
    encoding: { x, y, color, ...shape, tooltip },
  } as const;
  if (!video) {
    return {
      ...layerHead,
      data: { values },
      layer: [
        rowsLayer,
        {
          name: PLOT_LAYERS.frontierLine,
          transform: onFrontier,
          mark: { type: 'line', color: 'black', strokeWidth: 1.5 },
          encoding: { x, y, order: { field: 'cost', type: 'quantitative' } },
        },
        pointsLayer,
      ],
    };
  }
  const segments = steps.slice(1).map((s, i) => {
    const from = (steps[i] as (typeof steps)[number]).row;
    return {
      cost: costOf(from),
      value: scale * from.value,
      cost2: costOf(s.row),
      value2: scale * s.row.value,
      change: s.change as StepChange,
      step: `${from.key} → ${s.row.key}`,
    };
  });
  const used = STEP_ORDER.filter((c) => segments.some((s) => s.change === c));
  return {
    ...layerHead,
    data: { values },
    layer: [
      rowsLayer,
      {
        name: PLOT_LAYERS.frontierSegments,
        data: { values: segments },
        mark: { type: 'rule', strokeWidth: 2.5 },
        encoding: {
          x,
          y,
          x2: { field: 'cost2' },
          y2: { field: 'value2' },
          color: {
            field: 'change',
            type: 'nominal',
            title: 'step changes',
            scale: { domain: used, range: used.map((c) => STEP_COLORS[c]) },
          },
          tooltip: [{ field: 'step' }, { field: 'change' }],
        },
      },
      pointsLayer,
    ],
    resolve: { scale: { color: 'independent' } },
  };
}
