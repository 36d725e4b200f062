import { registerNativeBackend } from './register.js';

// Importing the package registers the backend, as @tensorflow/tfjs-node does; the import throws
// (with how to fix it) when the addon was not built.
export const nativeBackendInfo = registerNativeBackend();

export type { NativeAddon } from './addon.js';
export { BACKEND_NAME } from './kernel-utils.js';
export { profileLastPlan } from './plan-kernels.js';
export {
  inferenceCacheStats,
  type NativeBackendInfo,
  nativeAddon,
  nativePlanStats,
  outputPoolStats,
  registerNativeBackend,
} from './register.js';
