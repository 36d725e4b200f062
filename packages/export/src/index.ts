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
