import { useBackend } from '@adaptnet/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKBONE_NAMES, createBackbone, featureStrides, resizableStageCount, resizableStagesOf } from '../src/index.js';

beforeAll(() => useBackend('cpu'));

/** Option variants per backbone: both stems and, where the backbone takes them, custom layouts. */
const VARIANTS: Record<(typeof BACKBONE_NAMES)[number], object[]> = {
  'mobilenet-v1': [
    {},
    { input: 'small' },
    {
      input: 'small',
      stemChannels: 8,
      blocks: [
        [16, 2],
        [24, 2],
        [24, 1],
        [32, 1],
      ],
    },
  ],
  'mobilenet-v2': [
    {},
    { input: 'small' },
    {
      stages: [
        [1, 8, 1, 1],
        [6, 16, 1, 2],
        [6, 24, 2, 2],
      ],
      headChannels: 32,
    },
    {
      input: 'small',
      stages: [
        [1, 8, 1, 1],
        [6, 16, 1, 2],
        [6, 24, 2, 2],
      ],
      headChannels: 32,
    },
  ],
  // Full-size allocations: one stem each (the stems differ only in their own stride, which never counts).
  'resnet-18': [{ input: 'small' }],
  'resnet-50': [{}],
  'shufflenet-v2': [{}, { input: 'small' }, { repeats: [1, 2, 1], channels: [8, 16, 32, 48, 40] }],
  'vgg-16-bn': [{}, { input: 'small' }],
};

describe('resizableStageCount', () => {
  it('hand-counted stride lists', () => {
    // Stem, then [1] | [2, 1] | [2] → stages {stem, 1}, {2, 1}, {2}: two hold a stride-1 step besides the stem.
    expect(resizableStagesOf([2, 1, 2, 1, 2])).toBe(2);
    expect(resizableStagesOf([1, 2, 2, 2])).toBe(0);
    expect(resizableStagesOf([4, 1, 1, 2, 1, 2, 1])).toBe(3);
    // VGG-16 small: conv conv (pool dropped) conv conv M conv×3 M conv×3 M conv×3 M → every stage has convs but the last.
    expect(resizableStagesOf(featureStrides('vgg-16-bn', { input: 'small' }))).toBe(4);
    expect(resizableStagesOf(featureStrides('vgg-16-bn'))).toBe(5);
  });

  for (const name of BACKBONE_NAMES) {
    it(`${name}: equals the resize modules a resizable network builds, for every option variant`, () => {
      for (const options of VARIANTS[name]) {
        const model = createBackbone(name, { ...options, includeTop: false, resizable: true, norm: { policy: 'config' } });
        expect(resizableStageCount(name, options), JSON.stringify(options)).toBe(model.resizes.length);
        model.dispose();
      }
    });
  }

  it('video backbones and unknown names are named errors', () => {
    expect(() => resizableStageCount('x3d-small')).toThrow(/x3d-small: resizable is not supported by video backbones/);
    expect(() => resizableStageCount('alexnet')).toThrow(/unknown backbone 'alexnet'; known backbones: mobilenet-v1/);
  });
});
