import { writeFileAtomic } from '@adaptnet/core/node';
import { type PlotOptions, type PlotSpec, plotSpec } from '../plot.js';
import type { QueryTable } from '../query-table.js';

/**
 * A real `import()` in the CommonJS build too: tsup's CJS output turns `import()` into `require()`,
 * which cannot load vega (an ES module with top-level await: ERR_REQUIRE_ASYNC_MODULE).
 */
const importEsm = new Function('specifier', 'return import(specifier)') as <T>(specifier: string) => Promise<T>;

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
export async function renderPlot(table: QueryTable, options: RenderPlotOptions = {}): Promise<RenderedPlot> {
  const spec = plotSpec(table, options);
  const [vega, vegaLite] = await Promise.all([
    importEsm<typeof import('vega')>('vega'),
    importEsm<typeof import('vega-lite')>('vega-lite'),
  ]);
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
