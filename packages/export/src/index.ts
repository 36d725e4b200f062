export { type ExportSubnetFormatOptions, exportSubnet } from './export-subnet.js';
export { type FoldedConv, foldConvBn } from './fold.js';
export { exportGraphSubnet, GRAPH_INPUT_NAME, GRAPH_OUTPUT_NAME } from './graph-export.js';
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
export {
  type ExportSubnetOptions,
  SUBNET_FORMAT,
  SUBNET_FORMAT_VERSION,
  SUBNET_FORMATS,
  SUBNET_METADATA_KEY,
  type SubnetAccuracy,
  type SubnetFormat,
  type SubnetMetadata,
  type SubnetMetadataSource,
  subnetMetadata,
} from './subnet-metadata.js';
