// The portable entry: grid evaluation, frontier, queries and the table format. File I/O and plot
// rendering (vega, sharp) are Node-only: `@adaptnet/query-table/node`.
export {
  type EvaluateGridOptions,
  type EvaluatorContext,
  evaluateGrid,
  type GridEvaluator,
  type GridModel,
  gridSettingsDifferences,
  type MetricGridOptions,
  type MetricResult,
} from './evaluate-grid.js';
export { migrateTableFile, QUERY_TABLE_FORMAT, QUERY_TABLE_VERSION, type QueryTableFile } from './file-schema.js';
export { weightsFingerprint } from './fingerprint.js';
export { type FormatFrontierOptions, formatFrontier, formatRowLine } from './format.js';
export { changedDimensions, compareAccuracy, frontierSteps, paretoFrontier } from './frontier.js';
export { defaultWidths, gridConfigs, gridSize } from './grid.js';
export { inputFor, inputSizeFor } from './inputs.js';
export { type LatencyOptions, measureLatency, median } from './latency.js';
export { PLOT_LAYERS, type PlotOptions, type PlotSpec, plotSpec, STEP_COLORS } from './plot.js';
export { type LoadTableOptions, QueryTable, type QueryTableInit } from './query-table.js';
export { countTopK, type TopKCounts } from './top-k.js';
export {
  type Budget,
  type BudgetFlag,
  type CostKind,
  type Dimension,
  type EvalBatch,
  type EvalBatchSource,
  type FrontierStep,
  type GridInfo,
  type GridSettings,
  type GridSpec,
  type LatencySettings,
  type MetricInfo,
  type MetricRow,
  type RowInit,
  type StepChange,
  type TableModelInfo,
  type TableRow,
  TOP1_METRIC,
} from './types.js';
