import '../../src/node.js';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { installKernelFills, uninstallKernelFills } from '../../src/kernels/registry.js';
import { testBackends } from '../helpers/backends.js';
import { expectMatchesFiniteDifferences, forwardError, gradientError, maxAbsError, TOL, tfGradients } from '../helpers/grad-check.js';
import {
  activationCases,
  conv2dCases,
  conv3dCases,
  conv3dPaddedCases,
  dataMovementCases,
  depthwiseCases,
  depthwiseConv3dCases,
  gatherCase,
  poolCases,
  resizeCases,
  slowStemPoolCase,
  trilinearCases,
} from './cases.js';

const ALL = [
  ...conv2dCases,
  ...depthwiseCases,
  ...conv3dCases,
  ...conv3dPaddedCases,
  ...depthwiseConv3dCases,
  ...poolCases,
  ...resizeCases,
  ...trilinearCases,
  gatherCase,
  ...dataMovementCases,
  ...activationCases,
];

// initBackend installs each backend's fills (native inherits the cpu fills it does not replace).
const BACKENDS = await testBackends();

describe.each(BACKENDS)('gradients on %s (with AdaptNet kernel fills)', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
  });

  it.each(ALL.map((c) => [c.name, c] as const))('%s matches finite differences', (_, c) => {
    expectMatchesFiniteDifferences(c);
  });
});

describe.each(BACKENDS.filter((b) => b !== 'cpu'))('%s gradients agree with the cpu backend', (backend) => {
  it.each(ALL.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    await tf.setBackend('cpu');
    const onCpu = tfGradients(c);
    await tf.setBackend(backend);
    const onOther = tfGradients(c);
    onOther.forEach((g, i) => expect(maxAbsError(g, onCpu[i]!)).toBeLessThanOrEqual(TOL * 10));
  });
});

/*
 * The built-in kernels AdaptNet replaces as 'wrong' really are wrong: these checks fail on them.
 * If a tfjs upgrade makes one of these pass, the fill can be dropped.
 */
describe('built-in kernels that the fills replace', () => {
  const withBuiltins = async <T>(backend: string, fn: () => T): Promise<T> => {
    await tf.setBackend(backend);
    uninstallKernelFills(backend);
    try {
      return fn();
    } finally {
      installKernelFills(backend);
    }
  };

  it('wasm Conv3DBackpropInputV2 is wrong', async () => {
    const c = conv3dCases[0]!;
    const err = await withBuiltins('wasm', () => {
      // Fill the wasm heap with non-zero garbage first, as a training step would.
      tf.tidy(() => tf.fill([4096], 7).dataSync());
      return gradientError(c);
    });
    expect(err).toBeGreaterThan(TOL);
  });

  it('wasm MaxPoolGrad is wrong on an all-negative window', async () => {
    const c = poolCases.find((p) => p.name.includes('all-negative'))!;
    expect(await withBuiltins('wasm', () => gradientError(c))).toBeGreaterThan(TOL);
  });

  /** The worst error over cases; a built-in that throws counts as wrong. */
  const worst = (cases: typeof ALL) =>
    Math.max(
      ...cases.map((c) => {
        try {
          return gradientError(c);
        } catch {
          return Infinity;
        }
      }),
    );
  const nearest = resizeCases.filter((c) => c.name.startsWith('resizenearest'));
  const bilinear = resizeCases.filter((c) => c.name.startsWith('resizebilinear'));
  const halfPixel = (cs: typeof ALL) => cs.filter((c) => c.name.includes('halfPixelCenters=true'));
  const sameAvg = poolCases.filter((c) => c.name.startsWith('avgPool') && c.name.includes('pad=same'));

  it('cpu ResizeNearestNeighborGrad is wrong', async () => {
    expect(await withBuiltins('cpu', () => worst(nearest))).toBeGreaterThan(TOL);
  });

  it('cpu ResizeBilinearGrad is wrong on non-square images', async () => {
    expect(await withBuiltins('cpu', () => worst(bilinear))).toBeGreaterThan(TOL);
  });

  it('wasm resize gradients ignore halfPixelCenters', async () => {
    expect(await withBuiltins('wasm', () => worst(halfPixel(nearest)))).toBeGreaterThan(TOL);
    expect(await withBuiltins('wasm', () => worst(halfPixel(bilinear)))).toBeGreaterThan(TOL);
  });

  it.each(['cpu', 'wasm'])('%s AvgPoolGrad/AvgPool3DGrad are wrong at same-padded borders', async (backend) => {
    for (const c of sameAvg) expect(await withBuiltins(backend, () => gradientError(c))).toBeGreaterThan(TOL);
  });

  it('wasm MaxPool3D is wrong at a far same-padded border (the Slow stem pool); cpu and native are right', async () => {
    expect(await withBuiltins('wasm', () => forwardError(slowStemPoolCase))).toBeGreaterThan(TOL);
    for (const b of BACKENDS.filter((n) => n !== 'wasm')) {
      await tf.setBackend(b);
      expect(forwardError(slowStemPoolCase)).toBeLessThanOrEqual(TOL);
      expect(gradientError(slowStemPoolCase)).toBeLessThanOrEqual(TOL);
    }
  });

  it('wasm Conv3DBackpropFilterV2 is wrong for strides > 1', async () => {
    const strided = conv3dCases.filter((c) => /stride=(?!1,1,1)/.test(c.name));
    expect(await withBuiltins('wasm', () => worst(strided))).toBeGreaterThan(TOL);
  });

  it('wasm lacks the depthwise and weight gradients it is given', async () => {
    const c = depthwiseCases[0]!;
    await expect(withBuiltins('wasm', () => gradientError(c))).rejects.toThrow(/not registered|kernel/i);
    await expect(withBuiltins('wasm', () => gradientError(conv2dCases[0]!))).rejects.toThrow(/not registered|kernel/i);
  });
});
