// `@adaptnet/core/files`: atomic writes alone (Node built-ins only, no tfjs), for packages such as
// @adaptnet/coco that write files but never load a model.
export { writeFileAtomic } from './checkpoint/atomic.js';
