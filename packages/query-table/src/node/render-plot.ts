import { type PlotOptions, type PlotSpec, plotSpec } from '../plot.js';
import type { QueryTable } from '../query-table.js';
import type { MetricRow } from '../types.js';
import { type RenderSpecOptions, renderVegaLite } from './render-spec.js';

export interface RenderPlotOptions extends PlotOptions, RenderSpecOptions {}

export interface RenderedPlot {
  readonly spec: PlotSpec;
  readonly svg: string;
  /** When `pngPath` was given. */
  readonly png?: Uint8Array;
}

/**
 * Renders `plotSpec` to SVG with vega in Node (no canvas needed) and optionally to PNG with sharp;
 * writes the files given, atomically.
 */
export async function renderPlot<R extends MetricRow>(table: QueryTable<R>, options: RenderPlotOptions = {}): Promise<RenderedPlot> {
  const spec = plotSpec(table, options);
  const { svg, png } = await renderVegaLite(spec, options);
  return png === undefined ? { spec, svg } : { spec, svg, png };
}
