export { type EvaluateGridOptions, evaluateGrid, type GridModel } from './evaluate-grid.js';
export { QUERY_TABLE_FORMAT, QUERY_TABLE_VERSION, type QueryTableFile } from './file-schema.js';
export { weightsFingerprint } from './fingerprint.js';
export { type FormatFrontierOptions, formatFrontier, formatRowLine } from './format.js';
export { compareAccuracy, paretoFrontier } from './frontier.js';
export { defaultWidths, gridConfigs } from './grid.js';
export { type LatencyOptions, measureLatency, median } from './latency.js';
export { PLOT_LAYERS, type PlotOptions, type PlotSpec, plotSpec, type RenderedPlot, type RenderPlotOptions, renderPlot } from './plot.js';
export { QueryTable, type QueryTableInit } from './query-table.js';
export { countTopK, type TopKCounts } from './top-k.js';
export type {
  Budget,
  CostKind,
  EvalBatch,
  EvalBatchSource,
  GridInfo,
  GridSettings,
  GridSpec,
  LatencySettings,
  TableModelInfo,
  TableRow,
} from './types.js';
