// One forward pass of a slimmable backbone through the portable entry points only. Built twice by
// bundle.test.ts: for the browser (everything bundled) and for Node (packages resolved as installed).
import '@tensorflow/tfjs-backend-cpu';
import '@adaptnet/core/gradients';
import { createBackbone, MOBILENET_V1_FASHION_MNIST_BLOCKS } from '@adaptnet/backbones';
import { evaluateCoco } from '@adaptnet/coco';
import { gradientsRegistered, Rng } from '@adaptnet/core';
import { inplaceDistillLoss } from '@adaptnet/distill';
import { PreparedCache } from '@adaptnet/export';
import { costOf } from '@adaptnet/flops';
import { calibrate, SwitchableBatchNorm } from '@adaptnet/norm';
import { paretoFrontier } from '@adaptnet/query-table';
import { SandwichSampler } from '@adaptnet/samplers';
import { activeChannels } from '@adaptnet/slimmable';
import * as tf from '@tensorflow/tfjs-core';

await tf.setBackend('cpu');
const net = createBackbone('mobilenet-v1', {
  input: 'small',
  inChannels: 1,
  numClasses: 10,
  blocks: MOBILENET_V1_FASHION_MNIST_BLOCKS,
  seed: 3,
});
const config = { width: 0.5, resolution: 20 };
const rng = new Rng(7);
const pixels = Float32Array.from({ length: 2 * 20 * 20 }, () => rng.next() * 2 - 1);
// Training mode: BN normalises with batch statistics, so no calibration is needed for this check.
const logits = net.forward(tf.tensor4d(pixels, [2, 20, 20, 1]), { config, training: true });
// Inference: calibrated statistics, then the prepared (sliced, BN-folded, fused) path against the plain forward.
const images = tf.tensor4d(pixels, [2, 20, 20, 1]);
await calibrate(net, [images], [config], { samples: 2 });
const cache = new PreparedCache(net);
const prepared = cache.predict(images, config);
const plain = net.forward(images, { config, training: false });
const result = {
  logits: Array.from(logits.dataSync()),
  prepared: Array.from(prepared.dataSync()),
  plain: Array.from(plain.dataSync()),
  shape: logits.shape,
  macs: costOf(net, config, [1, 20, 20, 1]).macs,
  gradients: gradientsRegistered(),
  exports: [evaluateCoco, inplaceDistillLoss, SwitchableBatchNorm, paretoFrontier, SandwichSampler, activeChannels, PreparedCache].map(
    (f) => typeof f,
  ),
};
console.log(JSON.stringify(result));
