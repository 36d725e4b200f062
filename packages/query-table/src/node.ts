// `@adaptnet/query-table/node`: table files and plot rendering (Node only).

export { type RenderedPlot, type RenderPlotOptions, renderPlot } from './node/render-plot.js';
export { type RenderSpecOptions, renderVegaLite } from './node/render-spec.js';
export { evaluateGridToFile, loadQueryTable, saveQueryTable, type ToFileOptions } from './node/table-file.js';
