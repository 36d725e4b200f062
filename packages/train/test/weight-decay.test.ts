import { initBackend } from '@adaptnet/core/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainableParameters } from '../src/index.js';
import { tinyModel } from './helpers.js';

const ALL = { conv: true, depthwise: true, dense: true, batchNorm: true, bias: true };

describe('trainableParameters', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu', log: false });
  });

  it('classifies every trainable variable of a MobileNetV1 by the layer that owns it', () => {
    const model = tinyModel();
    const params = trainableParameters(model, 1e-4, ALL);
    expect(params.map((p) => p.name)).toEqual(
      model.trainableVariables().map((v) => [...model.namedVariables()].find(([, x]) => x === v)?.[0]),
    );
    const byName = new Map(params.map((p) => [p.name, p.kind]));
    expect(byName.get('stem.conv.kernel')).toBe('conv');
    expect(byName.get('block1.dw.conv.kernel')).toBe('depthwise');
    expect(byName.get('block1.pw.conv.kernel')).toBe('conv');
    expect(byName.get('block2.pw.bn.gamma')).toBe('batchNorm');
    expect(byName.get('fc.kernel')).toBe('dense');
    expect(byName.get('fc.bias')).toBe('bias');
    // 1 stem + 3 blocks × 2 convs, each with γ and β, then fc kernel + bias.
    expect(params.filter((p) => p.kind === 'conv' || p.kind === 'depthwise')).toHaveLength(7);
    expect(params.filter((p) => p.kind === 'batchNorm')).toHaveLength(14);
    model.dispose();
  });

  it('decays only the selected kinds (reference recipe: conv weights only)', () => {
    const model = tinyModel();
    const params = trainableParameters(model, 5e-5, { conv: true, depthwise: true, dense: false, batchNorm: false, bias: false });
    for (const p of params) expect(p.weightDecay).toBe(p.kind === 'conv' || p.kind === 'depthwise' ? 5e-5 : 0);
    const noDw = trainableParameters(model, 5e-5, { conv: true, depthwise: false, dense: false, batchNorm: false, bias: false });
    expect(noDw.find((p) => p.name === 'block3.dw.conv.kernel')?.weightDecay).toBe(0);
    model.dispose();
  });

  it('private per-resolution BN sets (dotted keys) are BN parameters too', () => {
    const model = tinyModel({
      norm: {
        policy: 'resolution',
        configs: [
          { width: 1, resolution: 16 },
          { width: 1, resolution: 12 },
        ],
      },
    });
    const params = trainableParameters(model, 1e-4, ALL);
    const bn = params.filter((p) => p.kind === 'batchNorm');
    expect(bn).toHaveLength(28);
    expect(bn.some((p) => p.name === 'stem.bn.r12.gamma')).toBe(true);
    model.dispose();
  });
});
