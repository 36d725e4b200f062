import { type ForwardContext, Rng } from '@adaptnet/core';
import { expectNoLeak, fixture, testBackends, useBackend } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backbone, type BackboneName, createBackbone, MOBILENET_V1_FASHION_MNIST_BLOCKS } from '../src/index.js';

const ALL_BACKENDS = await testBackends();
// The cpu (and native, which falls back to it for many kernels) backends take ~45 s per ResNet forward
// here; wasm runs every case, and every backend runs the cheap Fashion-MNIST net.
const FAST = ALL_BACKENDS.filter((b) => b === 'wasm');
const train = (width: number, resolution: number): ForwardContext => ({ config: { width, resolution }, training: true });

interface Case {
  readonly label: string;
  readonly make: () => Backbone;
  readonly resolutions: readonly number[];
  readonly strides: readonly number[];
  readonly backends?: readonly string[];
}

const CASES: readonly Case[] = [
  {
    label: 'mobilenet-v1 fashion (small)',
    make: () =>
      createBackbone('mobilenet-v1', { input: 'small', inChannels: 1, numClasses: 10, blocks: MOBILENET_V1_FASHION_MNIST_BLOCKS }),
    resolutions: [16, 20, 24, 28],
    strides: [1, 2, 4, 8],
    backends: ALL_BACKENDS,
  },
  {
    label: 'mobilenet-v1 small',
    make: () => createBackbone('mobilenet-v1', { input: 'small', numClasses: 10 }),
    resolutions: [17, 32],
    strides: [1, 2, 4, 8, 16],
  },
  {
    label: 'mobilenet-v1 imagenet',
    make: () => createBackbone('mobilenet-v1', { numClasses: 7 }),
    resolutions: [33, 64],
    strides: [2, 4, 8, 16, 32],
  },
  {
    label: 'mobilenet-v2 small',
    make: () => createBackbone('mobilenet-v2', { input: 'small', numClasses: 10 }),
    resolutions: [19, 32],
    strides: [1, 2, 4, 8],
  },
  {
    label: 'mobilenet-v2 imagenet',
    make: () => createBackbone('mobilenet-v2', { numClasses: 5 }),
    resolutions: [35, 64],
    strides: [2, 4, 8, 16, 32],
  },
  {
    label: 'resnet-18 small',
    make: () => createBackbone('resnet-18', { input: 'small', numClasses: 10 }),
    resolutions: [15, 32],
    strides: [1, 2, 4, 8],
  },
  {
    label: 'resnet-18 imagenet',
    make: () => createBackbone('resnet-18', { numClasses: 3 }),
    resolutions: [37, 64],
    strides: [4, 8, 16, 32],
  },
  {
    label: 'shufflenet-v2 small',
    make: () => createBackbone('shufflenet-v2', { input: 'small', numClasses: 10 }),
    resolutions: [13, 32],
    strides: [1, 2, 4, 8],
  },
  {
    label: 'shufflenet-v2 imagenet',
    make: () => createBackbone('shufflenet-v2', { numClasses: 4 }),
    resolutions: [35, 64],
    strides: [4, 8, 16, 32],
  },
  {
    label: 'vgg-16-bn small',
    make: () => createBackbone('vgg-16-bn', { input: 'small', numClasses: 10 }),
    resolutions: [16, 32],
    strides: [1, 2, 4, 8, 16],
  },
  { label: 'resnet-50 imagenet', make: () => createBackbone('resnet-50', { numClasses: 3 }), resolutions: [33], strides: [4, 8, 16, 32] },
];

describe.each(CASES)('$label', ({ make, resolutions, strides, backends = FAST }) => {
  let net: Backbone;
  beforeAll(() => {
    net = make();
  });
  afterAll(() => net.dispose());

  it('has the expected stage strides', () => {
    expect(net.stageStrides).toEqual(strides);
  });

  it.each([...backends])('cost() predicts the shapes forward() produces for random configurations (%s)', async (backend) => {
    await useBackend(backend);
    const rng = new Rng(11);
    for (let trial = 0; trial < 3; trial++) {
      const width = 0.25 + 0.75 * rng.next() * (trial === 0 ? 0 : 1);
      const r = resolutions[rng.int(resolutions.length)]!;
      const ctx = train(width, r);
      const inShape = net.inputShape(ctx.config);
      const x = fixture(inShape, trial + 1);
      const y = net.forward(x, ctx);
      const stages = net.forwardStages(x, ctx);
      expect(y.shape).toEqual(net.cost(inShape, ctx).outShape);
      expect(stages.map((s) => s.shape)).toEqual(net.stageShapes(inShape, ctx));
      expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
      stages.forEach((s, i) => {
        expect(s.shape[1]).toBe(Math.ceil(r / strides[i]!));
      });
      tf.dispose([x, y, ...stages]);
    }
    await useBackend('cpu');
  });
});

describe('tensors', () => {
  beforeAll(() => useBackend('wasm'));
  afterAll(() => useBackend('cpu'));

  it('forward and forwardStages leak nothing', () => {
    const net = createBackbone('mobilenet-v2', { input: 'small', numClasses: 10 });
    const x = fixture([1, 16, 16, 3], 3);
    expectNoLeak(() => net.forward(x, train(0.5, 16)), 3);
    expectNoLeak(() => net.forwardStages(x, train(0.25, 16)), 3);
    const r = createBackbone('resnet-18', { numClasses: 4 });
    const xr = fixture([1, 32, 32, 3], 4);
    expectNoLeak(() => r.forward(xr, train(0.25, 32)), 3);
    tf.dispose([x, xr]);
    net.dispose();
    r.dispose();
  });

  it('includeTop: false returns the last stage features', () => {
    const net = createBackbone('resnet-18', { input: 'small', includeTop: false });
    const x = fixture([2, 8, 8, 3], 5);
    const y = net.forward(x, train(0.5, 8));
    expect(y.shape).toEqual([2, 1, 1, 256]);
    tf.dispose([x, y]);
    net.dispose();
  });

  it('inference after BN statistics exist uses them (policy resolution, private sets)', () => {
    const names: BackboneName[] = ['mobilenet-v1', 'resnet-18'];
    for (const name of names) {
      const net = createBackbone(name, {
        input: 'small',
        numClasses: 4,
        norm: { policy: 'resolution', configs: [{ width: 1, resolution: 8 }] },
      });
      const x = fixture([2, 8, 8, 3], 6);
      const y = net.forward(x, { config: { width: 0.5, resolution: 8 }, training: false });
      expect(y.shape).toEqual([2, 4]);
      tf.dispose([x, y]);
      net.dispose();
    }
  });
});
