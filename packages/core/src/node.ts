// `@adaptnet/core/node`: the Node-only half of core. Importing it registers tfjs's gradients when
// @tensorflow/tfjs is installed (see backend/node-gradients.ts), as importing core used to.
import { gradientsRegistered, installAdaptNetGradients } from './backend/gradients.js';
import { registerNodeGradients } from './backend/node-gradients.js';

if (gradientsRegistered() || registerNodeGradients()) installAdaptNetGradients();

export { BACKEND_PREFERENCE, type BackendChoice, type BackendInfo, type InitBackendOptions, initBackend } from './backend/init.js';
export { writeFileAtomic } from './checkpoint/atomic.js';
export {
  type LoadedCheckpoint,
  loadCheckpoint,
  loadModule,
  readCheckpointHeader,
  type SaveCheckpointOptions,
  saveCheckpoint,
  saveModule,
} from './checkpoint/checkpoint.js';
