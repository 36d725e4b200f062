import { writeFileAtomic } from '@adaptnet/core/node';
import { type PlotOptions, type PlotSpec, plotSpec } from '../plot.js';
import type { QueryTable } from '../query-table.js';
import type { MetricRow } from '../types.js';

type Vega = typeof import('vega');
type VegaLite = typeof import('vega-lite');

/**
 * vega and vega-lite are ES modules with top-level await. tsup's CommonJS build turns `import()` into
 * `require()`, which cannot load them (ERR_REQUIRE_ASYNC_MODULE): there, fall back to a real
 * `import()` that the build does not rewrite.
 */
async function loadVega(): Promise<[Vega, VegaLite]> {
  try {
    return await Promise.all([import('vega'), import('vega-lite')]);
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_REQUIRE_ASYNC_MODULE') throw e;
    const importEsm = new Function('specifier', 'return import(specifier)') as <T>(specifier: string) => Promise<T>;
    return Promise.all([importEsm<Vega>('vega'), importEsm<VegaLite>('vega-lite')]);
  }
}

export interface RenderPlotOptions extends PlotOptions {
  /** Where to write the SVG (atomically). */
  readonly svgPath?: string;
  /** Where to write a PNG rendering (sharp). */
  readonly pngPath?: string;
  /** PNG pixels per SVG pixel. Default 2. */
  readonly pngScale?: number;
}

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
  const [vega, vegaLite] = await loadVega();
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  if (options.svgPath !== undefined) await writeFileAtomic(options.svgPath, svg);
  if (options.pngPath === undefined) return { spec, svg };
  const { default: sharp } = await import('sharp');
  const density = 72 * (options.pngScale ?? 2);
  const png = new Uint8Array(await sharp(Buffer.from(svg), { density }).png().toBuffer());
  await writeFileAtomic(options.pngPath, png);
  return { spec, svg, png };
}
