export { type Costed, type CostReport, costOf, paramsExcluding, type ShapedCosted } from './cost-of.js';
export { type FormatCostReportOptions, formatCostReport, formatCount, formatInteger } from './format.js';
