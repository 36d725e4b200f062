import { ConfigError, ConfigRangeError, type ForwardContext, ShapeError } from '@adaptnet/core';
import { fixture } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BACKBONE_NAMES, createBackbone, isBackboneName, ResNet, type ResNetDepth } from '../src/index.js';

const ctx = (width: number, resolution: number): ForwardContext => ({ config: { width, resolution }, training: true });

describe('registry and option errors', () => {
  it('lists the registered names', () => {
    expect(BACKBONE_NAMES).toEqual(['mobilenet-v1', 'mobilenet-v2', 'resnet-18', 'resnet-50', 'shufflenet-v2', 'vgg-16-bn']);
    expect(isBackboneName('resnet-50')).toBe(true);
    expect(isBackboneName('toString')).toBe(false);
  });

  it('an unknown name is a ConfigError naming it and the known ones', () => {
    expect(() => createBackbone('resnet-101')).toThrow(ConfigError);
    expect(() => createBackbone('resnet-101')).toThrow(
      "unknown backbone 'resnet-101'; known backbones: mobilenet-v1, mobilenet-v2, resnet-18, resnet-50, shufflenet-v2, vgg-16-bn",
    );
    expect(() => createBackbone('constructor')).toThrow(/unknown backbone 'constructor'/);
  });

  it('bad options are ConfigErrors that name the option', () => {
    expect(() => createBackbone('mobilenet-v1', { numClasses: 0 })).toThrow(/numClasses must be a positive integer, got 0/);
    expect(() => createBackbone('mobilenet-v2', { inChannels: 1.5 })).toThrow(/inChannels must be a positive integer/);
    expect(() => createBackbone('resnet-18', { input: 'tiny' as 'small' })).toThrow(/input must be 'imagenet' or 'small', got 'tiny'/);
    expect(() => createBackbone('resnet-18', { widthRange: { min: 1, max: 0.5 } })).toThrow(ConfigError);
    expect(() => createBackbone('mobilenet-v1', { blocks: [] })).toThrow(/blocks is empty/);
    expect(() => createBackbone('mobilenet-v1', { blocks: [[64, 0]] })).toThrow(/\[64, 0\]/);
    expect(() => createBackbone('mobilenet-v2', { stages: [[6, 24, 0, 2]] })).toThrow(ConfigError);
    expect(() => new ResNet({ depth: 34 as ResNetDepth })).toThrow(/depth must be one of 18, 50, got 34/);
    expect(() => createBackbone('mobilenet-v1', { norm: { policy: 'resolution' } })).toThrow(ConfigError);
  });

  it('a width outside the range is a ConfigRangeError in forward and cost', () => {
    const net = createBackbone('mobilenet-v1', { input: 'small', numClasses: 3, widthRange: { min: 0.5, max: 1 } });
    const x = fixture([1, 8, 8, 3], 1);
    expect(() => net.cost([1, 8, 8, 3], ctx(0.25, 8))).toThrow(ConfigRangeError);
    expect(() => net.forward(x, ctx(1.2, 8))).toThrow('mobilenet_v1: width 1.2 is outside the allowed range: [0.5, 1]');
    expect(() => net.forwardStages(x, ctx(Number.NaN, 8))).toThrow(ConfigRangeError);
    tf.dispose(x);
    net.dispose();
  });

  it('a wrong input is a ShapeError', () => {
    const net = createBackbone('resnet-18', { input: 'small', numClasses: 3 });
    expect(() => net.cost([1, 8, 8, 1], ctx(1, 8))).toThrow(ShapeError);
    expect(() => net.cost([8, 8, 3], ctx(1, 8))).toThrow(/rank 4/);
    net.dispose();
  });
});
