import { ConfigError, ConfigRangeError, type Cost, type ForwardContext, Module } from '@adaptnet/core';
import { expectClose, fixture, testBackends, useBackend } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BnSetValues, interpolateBN, SwitchableBatchNorm } from '../src/index.js';
import { rowsOf } from './helpers/tiny-net.js';

const BACKENDS = await testBackends();
const RES = [96, 128, 160];

class TwoBn extends Module {
  readonly a: SwitchableBatchNorm;
  readonly b: SwitchableBatchNorm;
  constructor() {
    super('net');
    const configs = RES.map((r) => ({ width: 1, resolution: r }));
    this.a = this.addModule('stem.bn', new SwitchableBatchNorm('a', { channels: 4, policy: 'resolution', configs }));
    this.b = this.addModule('head.bn', new SwitchableBatchNorm('b', { channels: 4, policy: 'resolution', configs }));
  }
  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return tf.tidy(() => this.b.forward(this.a.forward(x, ctx), ctx));
  }
  cost(inShape: readonly number[], ctx: ForwardContext): Cost {
    return this.a.cost(inShape, ctx);
  }
}

function filled(): TwoBn {
  const net = new TwoBn();
  let seed = 1;
  tf.tidy(() => {
    for (const [name, v] of net.namedVariables()) {
      const positive = name.endsWith('gamma') || name.endsWith('running_var');
      v.assign(positive ? tf.add(tf.abs(fixture([4], seed++)), 0.5) : fixture([4], seed++));
    }
  });
  return net;
}

const FIELDS = ['gamma', 'beta', 'mean', 'variance'] as const;
const lerp = (a: BnSetValues, b: BnSetValues, t: number) =>
  Object.fromEntries(FIELDS.map((f) => [f, Array.from(a[f], (v, i) => (1 - t) * v + t * b[f][i]!)])) as Record<
    (typeof FIELDS)[number],
    number[]
  >;

describe.each(BACKENDS)('BN interpolation on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('midway is the average of the neighbouring sets, a quarter of the way is 3:1, for all four tensors in every layer', () => {
    const net = filled();
    for (const [res, lo, hi, t] of [
      [112, 96, 128, 0.5],
      [104, 96, 128, 0.25],
      [152, 128, 160, 0.75],
    ] as const) {
      const r = interpolateBN(net, res);
      expect(r).toMatchObject({ key: `r${res}`, mode: 'interpolated', lower: lo, upper: hi, t, layers: ['stem.bn', 'head.bn'] });
      for (const bn of [net.a, net.b]) {
        const want = lerp(bn.values(`r${lo}`), bn.values(`r${hi}`), t);
        const got = bn.values(`r${res}`);
        for (const f of FIELDS) expectClose(got[f], want[f], 1e-6);
      }
    }
    net.dispose();
  });

  it('at the endpoints the set equals the endpoint set (trained resolutions, and clamped with outside: nearest)', () => {
    const net = filled();
    const warnings: string[] = [];
    for (const res of RES) expect(interpolateBN(net, res)).toMatchObject({ key: `r${res}`, mode: 'trained' });
    expect(interpolateBN(net, 64, { outside: 'nearest', warn: (m) => warnings.push(m) })).toMatchObject({ mode: 'nearest', lower: 96 });
    expect(interpolateBN(net, 224, { outside: 'nearest', warn: (m) => warnings.push(m) })).toMatchObject({ mode: 'nearest', upper: 160 });
    for (const bn of [net.a, net.b]) {
      expect(bn.values('r64')).toEqual(bn.values('r96'));
      expect(bn.values('r224')).toEqual(bn.values('r160'));
    }
    expect(warnings).toEqual([
      '[adaptnet] resolution 64 is outside the trained BN range [96, 160] (trained: 96, 128, 160): using the set of 96',
      '[adaptnet] resolution 224 is outside the trained BN range [96, 160] (trained: 96, 128, 160): using the set of 160',
    ]);
    net.dispose();
  });

  it('outside the trained range is an error by default; other policies cannot interpolate', () => {
    const net = filled();
    expect(() => interpolateBN(net, 200)).toThrow(ConfigRangeError);
    expect(() => interpolateBN(net, 200)).toThrow(
      "a: resolution 200 is outside the trained range [96, 160] (trained: 96, 128, 160); pass { outside: 'nearest' } to use the nearest set",
    );
    expect(net.a.keys()).toEqual(['r96', 'r128', 'r160']);
    const us = new SwitchableBatchNorm('us', { channels: 4, policy: 'config' });
    expect(() => interpolateBN(us, 112)).toThrow(ConfigError);
    expect(() => us.interpolateResolution(112)).toThrow("us: BN interpolation needs the 'resolution' policy, this layer uses 'config'");
    us.dispose();
    net.dispose();
  });

  it('interpolating never changes the trained sets, and the new resolution then runs with the interpolated set', () => {
    const net = filled();
    const before = RES.map((r) => net.a.values(`r${r}`));
    interpolateBN(net, 140);
    interpolateBN(net, 140);
    expect(RES.map((r) => net.a.values(`r${r}`))).toEqual(before);
    const x = fixture([2, 3, 4], 9);
    const y = net.a.forward(x, { config: { width: 1, resolution: 140 }, training: false });
    const s = net.a.values('r140');
    const ref = rowsOf(x, 4).flatMap((r) =>
      r.map((v, k) => ((v - s.mean[k]!) / Math.sqrt(s.variance[k]! + 1e-5)) * s.gamma[k]! + s.beta[k]!),
    );
    expectClose(y, ref, 1e-5);
    tf.dispose([x, y]);
    net.dispose();
  });

  it('repeated interpolation leaks no tensors', () => {
    const net = filled();
    interpolateBN(net, 112);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) interpolateBN(net, 112);
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
  });
});
