export {
  type ExportSubnetOptions,
  exportSubnet,
  SUBNET_FORMAT,
  SUBNET_FORMAT_VERSION,
  SUBNET_METADATA_KEY,
  type SubnetAccuracy,
  type SubnetMetadata,
  subnetMetadata,
} from './export-subnet.js';
export { type FoldedConv, foldConvBn } from './fold.js';
export {
  PreparedCache,
  type PreparedCacheOptions,
  type PreparedCacheStats,
  type PreparedEntryReport,
  type PreparedMemoryReport,
  preparedForward,
} from './prepared/prepared-cache.js';
export { PreparedSubnet, type PrepareOptions, prepareSubnet } from './prepared/prepared-subnet.js';
export type {
  ConvStep,
  DenseStep,
  GlobalPoolStep,
  MaxPoolStep,
  PreparedPad,
  PreparedStep,
  ResidualStep,
  ResizeStep,
  ShuffleStep,
} from './prepared/steps.js';
