import { ConfigError, ConfigRangeError, type ForwardContext, ShapeError } from '@adaptnet/core';
import { fixture } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  BACKBONE_NAMES,
  createBackbone,
  isBackboneName,
  isVideoBackboneName,
  ResNet,
  type ResNetDepth,
  VIDEO_BACKBONE_NAMES,
} from '../src/index.js';

const ctx = (width: number, resolution: number): ForwardContext => ({ config: { width, resolution }, training: true });

describe('registry and option errors', () => {
  it('lists the registered names', () => {
    expect(BACKBONE_NAMES).toEqual(['mobilenet-v1', 'mobilenet-v2', 'resnet-18', 'resnet-50', 'shufflenet-v2', 'vgg-16-bn']);
    expect(VIDEO_BACKBONE_NAMES).toEqual(['slow-8x8', 'slowfast-4x16', 'x3d-m', 'slow-small', 'slowfast-small', 'x3d-small']);
    expect(isBackboneName('resnet-50')).toBe(true);
    expect(isBackboneName('x3d-m')).toBe(true);
    expect(isVideoBackboneName('x3d-m')).toBe(true);
    expect(isVideoBackboneName('resnet-50')).toBe(false);
    expect(isBackboneName('toString')).toBe(false);
  });

  it('an unknown name is a ConfigError naming it and the known ones', () => {
    expect(() => createBackbone('resnet-101')).toThrow(ConfigError);
    expect(() => createBackbone('resnet-101')).toThrow(
      "unknown backbone 'resnet-101'; known backbones: mobilenet-v1, mobilenet-v2, resnet-18, resnet-50, shufflenet-v2, vgg-16-bn; video: slow-8x8, slowfast-4x16, x3d-m, slow-small, slowfast-small, x3d-small",
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

describe('video backbone errors', () => {
  it('bad video options and configurations are named errors', () => {
    expect(() => createBackbone('slow-small', { blocks: [1, 0, 1, 1] })).toThrow(/blocks must be 4 positive integers, got \[1, 0, 1, 1\]/);
    expect(() => createBackbone('slowfast-small', { alpha: 0 })).toThrow(/alpha must be a positive integer, got 0/);
    expect(() => createBackbone('slowfast-small', { baseWidth: 6 })).toThrow(/baseWidth 6 must be a multiple of betaInv 4/);
    expect(() => createBackbone('x3d-small', { repeats: [1, 1, 1] as unknown as [number, number, number, number] })).toThrow(
      /repeats must be 4 positive integers/,
    );
    expect(() => createBackbone('x3d-small', { resizable: true } as object)).toThrow(/resizable is not supported by video backbones/);
    const net = createBackbone('x3d-small');
    expect(() => net.inputShape({ width: 1, resolution: 32 })).toThrow(
      'x3d_small: config.frames must be a positive integer for a video model, got undefined',
    );
    expect(() => net.cost([1, 32, 32, 3], { config: { width: 1, resolution: 32, frames: 4 }, training: false })).toThrow(ShapeError);
    expect(() => net.cost([1, 4, 32, 32, 3], { config: { width: 0.5, resolution: 32, frames: 4 }, training: false })).toThrow(
      /width 0.5 is outside the allowed range: \[0.63, 1\]/,
    );
    net.dispose();
    const sf = createBackbone('slowfast-small');
    expect(() => sf.cost([1, 3, 32, 32, 3], { config: { width: 1, resolution: 32, frames: 4 }, training: false })).toThrow(
      /config.frames 4 exceeds the clip's 3 frames/,
    );
    sf.dispose();
  });
});
