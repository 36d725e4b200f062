export { type Costed, type CostReport, costOf, paramsExcluding, type ShapedCosted } from './cost-of.js';
export {
  type FormatCostReportOptions,
  formatCostReport,
  formatCount,
  formatInteger,
  formatMflops,
  formatMflopsValue,
  MFLOPS_UNIT,
} from './format.js';
