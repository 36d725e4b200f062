// `@adaptnet/core/gradients` under Node: tfjs-core's gradient modules cannot load in Node (see
// backend/node-gradients.ts), so the union package's Node build registers them.

import { registerNodeGradients } from './backend/node-gradients.js';
import { BackendError } from './errors.js';

if (!registerNodeGradients()) {
  throw new BackendError('@adaptnet/core/gradients needs @tensorflow/tfjs in Node (npm install @tensorflow/tfjs@4.22.0)');
}
