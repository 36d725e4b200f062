import { buildModelFromSpec, MOBILENET_V1_FASHION_MNIST_BLOCKS } from '@adaptnet/backbones';
import { parseModelSpec } from '@adaptnet/core';
import { findBatchNorms } from '@adaptnet/norm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelSpecFor, parseTrainConfig } from '../src/index.js';

const options = {
  input: 'small',
  inChannels: 1,
  numClasses: 10,
  widthRange: { min: 0.25, max: 1 },
  blocks: MOBILENET_V1_FASHION_MNIST_BLOCKS.slice(0, 3),
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('modelSpecFor', () => {
  it('a video model: the trained frames, and the video width range [0.63, 1] by default; it rebuilds', () => {
    const config = parseTrainConfig({ strategy: 'mutualnet', resolutions: [16, 12], frames: [4, 2] });
    const space = { width: { min: 0.63, max: 1 }, resolutions: [12, 16], frames: [2, 4] };
    const spec = modelSpecFor('slow-small', { inChannels: 1, numClasses: 8, configSpace: space }, config);
    expect(spec.trainedSpace).toEqual({ widthRange: { min: 0.63, max: 1 }, resolutions: [16, 12], frames: [4, 2] });
    const model = buildModelFromSpec(spec);
    expect(model.widthRange).toEqual({ min: 0.63, max: 1 });
    model.dispose();
  });

  it('MutualNet: shared-affine BN, the trained space and the full settings, as JSON that validates', () => {
    const config = parseTrainConfig({ strategy: 'mutualnet', resolutions: [28, 20] });
    const spec = modelSpecFor('mobilenet-v1', options, config);
    expect(spec.norm).toEqual({ policy: 'config' });
    expect(spec.trainedSpace).toEqual({ widthRange: { min: 0.25, max: 1 }, resolutions: [28, 20] });
    expect(spec.strategy.name).toBe('mutualnet');
    expect(spec.options.blocks).toEqual([
      [64, 1],
      [128, 2],
      [128, 1],
    ]);
    expect(parseModelSpec(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
  });

  it('RS-Nets: one private BN set per trained resolution at full width', () => {
    const spec = modelSpecFor('mobilenet-v1', options, parseTrainConfig({ strategy: 'rsnet', resolutions: [28, 24, 20] }));
    const model = buildModelFromSpec(spec);
    const [first] = findBatchNorms(model);
    expect(first?.bn.keys().sort()).toEqual(['r20', 'r24', 'r28']);
    model.dispose();
  });

  it('resizable: a spatial set per scale vector, one scale per resizable stage', () => {
    const config = parseTrainConfig({ strategy: 'resizable', resolutions: [28], resizable: { choices: [1, 0.5] } });
    const spec = modelSpecFor('mobilenet-v1', options, config);
    const model = buildModelFromSpec(spec);
    // Blocks 64/1, 128/2, 128/1 at small input: stages [stem, 64] and [128/2, 128/1], each with a stride-1 block (stem excluded).
    expect(model.resizes).toHaveLength(2);
    expect(spec.resizable).toBe(true);
    expect(spec.norm.configs?.map((c) => c.scales)).toEqual([
      [1, 1],
      [1, 0.5],
      [0.5, 1],
      [0.5, 0.5],
    ]);
    expect(spec.norm.policy).toBe('spatial');
    model.dispose();
  });
});
