// One forward pass of a slimmable backbone through the portable entry points only. Built twice by
// bundle.test.ts: for the browser (everything bundled) and for Node (packages resolved as installed).
import '@tensorflow/tfjs-backend-cpu';
import '@adaptnet/core/gradients';
import { createBackbone, MOBILENET_V1_FASHION_MNIST_BLOCKS } from '@adaptnet/backbones';
import { evaluateCoco } from '@adaptnet/coco';
import { gradientsRegistered, Rng } from '@adaptnet/core';
import { createImageDataset, parseIdx, randomSample } from '@adaptnet/data';
import { Detector, iou } from '@adaptnet/detection';
import { inplaceDistillLoss } from '@adaptnet/distill';
import { exportGraphSubnet, PreparedCache } from '@adaptnet/export';
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
// @adaptnet/data's portable entry: an IDX buffer decoded and wrapped as a dataset, then sampled.
const idx = parseIdx(Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 10, 20, 30, 40), 'inline', 3);
const dataset = createImageDataset({
  name: 'inline',
  height: 1,
  width: 2,
  channels: 1,
  classNames: ['a', 'b'],
  pixels: idx.data,
  labels: Int32Array.of(0, 1),
});
// A graph-model export of the calibrated configuration, written in the page.
const graph = exportGraphSubnet(net, config);
const result = {
  logits: Array.from(logits.dataSync()),
  prepared: Array.from(prepared.dataSync()),
  plain: Array.from(plain.dataSync()),
  shape: logits.shape,
  macs: costOf(net, config, [1, 20, 20, 1]).macs,
  gradients: gradientsRegistered(),
  data: { dims: idx.dims, sample: randomSample(dataset, 1, 3).labels.length },
  iou: iou([0, 0, 2, 2], [1, 0, 3, 2]),
  graphNodes: (graph.modelTopology as { node: unknown[] }).node.length,
  exports: [
    evaluateCoco,
    inplaceDistillLoss,
    SwitchableBatchNorm,
    paretoFrontier,
    SandwichSampler,
    activeChannels,
    PreparedCache,
    Detector,
    exportGraphSubnet,
  ].map((f) => typeof f),
};
console.log(JSON.stringify(result));
