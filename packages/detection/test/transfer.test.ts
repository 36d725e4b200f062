import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackbone } from '@adaptnet/backbones';
import { MODEL_SPEC_FORMAT, MODEL_SPEC_VERSION, type ModelSpec } from '@adaptnet/core';
import { initBackend, saveModule } from '@adaptnet/core/node';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Detector, detectorSpecFor } from '../src/index.js';
import { initBackboneFromCheckpoint, loadDetector } from '../src/node.js';
import { TINY_BLOCKS } from './helpers/tiny.js';

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
  dir = await mkdtemp(join(tmpdir(), 'det-transfer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What an adaptnet-classify run on Fashion-MNIST saves: a small-input MobileNetV1 with its classifier and spec. */
async function classifierCheckpoint(
  name: string,
  blocks: readonly (readonly [number, number])[],
  seed: number,
): Promise<{ path: string; spec: ModelSpec }> {
  const options = {
    inChannels: 1,
    numClasses: 10,
    input: 'small',
    widthRange: { min: 0.25, max: 1 },
    blocks: blocks.map(([c, s]) => [c, s]),
    stemChannels: 8,
    seed,
  };
  const spec: ModelSpec = {
    format: MODEL_SPEC_FORMAT,
    version: MODEL_SPEC_VERSION,
    architecture: 'mobilenet-v1',
    options,
    resizable: false,
    norm: { policy: 'config' },
    trainedSpace: { widthRange: { min: 0.25, max: 1 }, resolutions: [28] },
    strategy: { name: 'mutualnet' },
  };
  const model = createBackbone('mobilenet-v1', { ...options, input: 'small', norm: { policy: 'config' } });
  // Trained statistics too: a calibrated BN set, which the detector must not take over.
  await import('@adaptnet/norm').then(({ calibrate }) =>
    calibrate(model, [tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 1)], [{ width: 1, resolution: 28 }], {
      samples: 2,
      disposeBatches: true,
    }),
  );
  const path = join(dir, name);
  await saveModule(path, model, { architecture: 'mobilenet-v1', spec });
  model.dispose();
  return { path, spec };
}

describe('backbone initialisation from a classification checkpoint', () => {
  it('copies every backbone variable by name, leaves the classifier and calibrated sets out, and the head untouched', async () => {
    const { path, spec } = await classifierCheckpoint('cls', TINY_BLOCKS, 5);
    const detector = new Detector(
      detectorSpecFor(spec, { numClasses: 10, channels: 16, headConvs: 1, normalize: { mean: [0.286], std: [0.353] }, input: 'imagenet' }),
    );
    const headBefore = new Map([...detector.head.namedVariables()].map(([k, v]) => [k, Array.from(v.dataSync())]));
    const report = await initBackboneFromCheckpoint(detector, path);
    const reference = createBackbone('mobilenet-v1', { ...spec.options, norm: { policy: 'config' } });
    const refVars = reference.namedVariables();
    expect(report.copied.length).toBe(detector.backbone.namedVariables().size);
    expect(report.ignored).toEqual(expect.arrayContaining(['fc.kernel', 'fc.bias']));
    expect(report.ignored.some((n) => n.includes('running_mean'))).toBe(true);
    for (const [name, v] of detector.backbone.namedVariables()) {
      expect(Array.from(v.dataSync()), name).toEqual(Array.from((refVars.get(name) as tf.Variable).dataSync()));
    }
    for (const [name, v] of detector.head.namedVariables()) expect(Array.from(v.dataSync()), name).toEqual(headBefore.get(name));
    reference.dispose();
    detector.dispose();
  });

  it('refuses a checkpoint whose backbone differs (one-line error naming the variable), and another architecture', async () => {
    const { path } = await classifierCheckpoint('other', [...TINY_BLOCKS.slice(0, 5), [96, 2]], 1);
    const { spec } = await classifierCheckpoint('cls2', TINY_BLOCKS, 2);
    const detector = new Detector(
      detectorSpecFor(spec, { numClasses: 10, channels: 16, headConvs: 1, normalize: { mean: [0.286], std: [0.353] } }),
    );
    const before = Array.from((detector.backbone.namedVariables().get('stem.conv.kernel') as tf.Variable).dataSync());
    await expect(initBackboneFromCheckpoint(detector, path)).rejects.toThrow(
      /'block6\.pw\.conv\.kernel' is \[1,1,64,96\], the detector's backbone has \[1,1,64,128\]/,
    );
    expect(Array.from((detector.backbone.namedVariables().get('stem.conv.kernel') as tf.Variable).dataSync())).toEqual(before);
    const resnet = new Detector({
      ...detector.spec,
      backbone: { ...detector.spec.backbone, architecture: 'resnet-18', options: { inChannels: 1, widthRange: { min: 0.25, max: 1 } } },
    });
    await expect(initBackboneFromCheckpoint(resnet, path)).rejects.toThrow(
      "holds a 'mobilenet-v1', the detector's backbone is a 'resnet-18'",
    );
    resnet.dispose();
    detector.dispose();
  });

  it('a classification checkpoint is not a detector: loadDetector names both architectures', async () => {
    const { path } = await classifierCheckpoint('plain', TINY_BLOCKS, 3);
    await expect(loadDetector(path)).rejects.toThrow(
      `checkpoint in ${path} is for architecture 'mobilenet-v1', expected 'adaptnet-detector'`,
    );
  });
});
