export { type CrossEntropyOptions, crossEntropy, softCrossEntropy } from './cross-entropy.js';
export { detach } from './detach.js';
export { type InplaceDistillOptions, inplaceDistillLoss } from './inplace.js';
export { type KlDistillOptions, klDistill } from './kl.js';
export { type MredDistillOptions, MredEnsemble, type MredLossOptions, type MredMode, mredPairs } from './mred.js';
