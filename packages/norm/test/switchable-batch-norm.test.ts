import { ConfigError, ConfigRangeError, type ForwardContext, ShapeError } from '@adaptnet/core';
import { expectClose, expectNoLeak, fixture, testBackends, useBackend } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { bnKey, SwitchableBatchNorm } from '../src/index.js';
import { bnRows, meanVar, rowsOf } from './helpers/tiny-net.js';

const BACKENDS = await testBackends();
const RES = [96, 128, 160];
const at = (resolution: number, training: boolean, width = 1): ForwardContext => ({ config: { width, resolution }, training });

function rsBn(): SwitchableBatchNorm {
  return new SwitchableBatchNorm('bn', { channels: 8, policy: 'resolution', configs: RES.map((r) => ({ width: 1, resolution: r })) });
}

/** Distinct, non-trivial values in every set (γ > 0, variance > 0). */
function fillSets(bn: SwitchableBatchNorm): void {
  const vars = bn.namedVariables();
  tf.tidy(() => {
    RES.forEach((r, i) => {
      vars.get(`r${r}.gamma`)!.assign(tf.add(tf.abs(fixture([8], 10 + i)), 0.5));
      vars.get(`r${r}.beta`)!.assign(fixture([8], 20 + i));
      vars.get(`r${r}.running_mean`)!.assign(fixture([8], 30 + i));
      vars.get(`r${r}.running_var`)!.assign(tf.add(tf.abs(fixture([8], 40 + i)), 0.25));
    });
  });
}

function snapshot(bn: SwitchableBatchNorm, prefix: string): Record<string, number[]> {
  return Object.fromEntries([...bn.namedVariables()].filter(([n]) => n.startsWith(prefix)).map(([n, v]) => [n, Array.from(v.dataSync())]));
}

describe.each(BACKENDS)('SwitchableBatchNorm on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('training: normalises the active channels with batch statistics and the key’s γ/β; running stats use momentum 0.1 and n/(n−1)', () => {
    const bn = rsBn();
    fillSets(bn);
    const before = bn.values('r128');
    const x = fixture([3, 2, 2, 5], 1); // 5 of 8 channels active
    const y = bn.forward(x, at(128, true));
    const rows = rowsOf(x, 5);
    expectClose(y, bnRows(rows, Array.from(before.gamma.slice(0, 5)), Array.from(before.beta.slice(0, 5))).flat(), 1e-5);
    const { mean, variance } = meanVar(rows); // unbiased, n = 12
    const after = bn.values('r128');
    expectClose(
      after.mean.slice(0, 5),
      mean.map((m, k) => 0.9 * before.mean[k]! + 0.1 * m),
      1e-6,
    );
    expectClose(
      after.variance.slice(0, 5),
      variance.map((v, k) => 0.9 * before.variance[k]! + 0.1 * v),
      1e-6,
    );
    expect(Array.from(after.mean.slice(5))).toEqual(Array.from(before.mean.slice(5)));
    expect(Array.from(after.variance.slice(5))).toEqual(Array.from(before.variance.slice(5)));
    tf.dispose([x, y]);
    bn.dispose();
  });

  it('inference: normalises with the key’s running statistics', () => {
    const bn = rsBn();
    fillSets(bn);
    const s = bn.values('r160');
    const x = fixture([2, 3, 1, 6], 2);
    const y = bn.forward(x, at(160, false));
    const ref = rowsOf(x, 6).flatMap((r) =>
      r.map((v, k) => ((v - s.mean[k]!) / Math.sqrt(s.variance[k]! + 1e-5)) * s.gamma[k]! + s.beta[k]!),
    );
    expectClose(y, ref, 1e-5);
    tf.dispose([x, y]);
    bn.dispose();
  });

  it('switching key never touches another key’s tensors (training steps, inference)', () => {
    const bn = rsBn();
    fillSets(bn);
    const others = { r96: snapshot(bn, 'r96.'), r160: snapshot(bn, 'r160.') };
    const own = snapshot(bn, 'r128.');
    const x = fixture([4, 2, 2, 8], 3);
    const probe = fixture([4, 2, 2, 8], 4);
    const opt = tf.train.sgd(0.1);
    for (let i = 0; i < 3; i++) {
      tf.dispose(opt.minimize(() => tf.sum(tf.mul(bn.forward(x, at(128, true)), probe)) as tf.Scalar, true, bn.trainableVariables()) ?? []);
    }
    tf.dispose(bn.forward(x, at(128, false)));
    expect(snapshot(bn, 'r96.')).toEqual(others.r96);
    expect(snapshot(bn, 'r160.')).toEqual(others.r160);
    const now = snapshot(bn, 'r128.');
    for (const name of Object.keys(own)) expect(now[name]).not.toEqual(own[name]); // the active key did change
    const { grads, value } = tf.variableGrads(
      () => tf.sum(tf.mul(bn.forward(x, at(96, true)), probe)) as tf.Scalar,
      bn.trainableVariables(),
    );
    for (const name of ['r128.gamma', 'r128.beta', 'r160.gamma', 'r160.beta']) {
      const g = grads[bn.namedVariables().get(name)!.name];
      expect(g === undefined || Array.from(g.dataSync()).every((v) => v === 0)).toBe(true);
    }
    tf.dispose([x, probe, value, ...Object.values(grads)]);
    opt.dispose();
    bn.dispose();
  });

  it('a key without a set is a ConfigRangeError naming the key and the keys that exist', () => {
    const bn = rsBn();
    const x = tf.zeros([1, 1, 1, 8]);
    for (const training of [true, false]) {
      expect(() => bn.forward(x, at(200, training))).toThrow(ConfigRangeError);
      expect(() => bn.forward(x, at(200, training))).toThrow(
        "bn: no BatchNorm set for key 'r200' (policy resolution); sets exist for: r96, r128, r160",
      );
    }
    expect(() => bn.forward(tf.zeros([1, 9]), at(96, true))).toThrow(ShapeError);
    expect(() => bn.forward(tf.zeros([1, 9]), at(96, true))).toThrow(
      'bn: input must be [..., C] with 1 <= C <= 8 channels, got shape [1, 9]',
    );
    x.dispose();
    bn.dispose();
  });

  it('policies derive their keys from the context', () => {
    const cfg = { width: 0.5, resolution: 224, scales: [1, 0.5] };
    expect(bnKey('resolution', cfg)).toBe('r224');
    expect(bnKey('width', cfg)).toBe('w0.500');
    expect(bnKey('spatial', cfg)).toBe('r224-s1_0.5');
    expect(bnKey({ scaleOfStage: 1 }, cfg)).toBe('s0.5');
    expect(bnKey('config', cfg)).toBe('w0.500-r224-s1_0.5');
    expect(() => bnKey({ scaleOfStage: 2 }, cfg)).toThrow(
      'BN policy scaleOfStage 2 needs config.scales[2], but the configuration has 2 stage scales',
    );
    const sNet = new SwitchableBatchNorm('s', {
      channels: 4,
      policy: 'width',
      configs: [0.25, 0.5, 1].map((width) => ({ width, resolution: 32 })),
    });
    expect(sNet.keys()).toEqual(['w0.250', 'w0.500', 'w1.000']);
    expect([...sNet.namedVariables().keys()]).toContain('w0.500.running_var');
    const y = sNet.forward(fixture([2, 1], 1), { config: { width: 0.25, resolution: 64 }, training: false });
    expect(y.shape).toEqual([2, 1]);
    y.dispose();
    sNet.dispose();
  });

  it('shared-affine (config) policy: γ/β shared by all keys; training runs without a set, inference needs one', () => {
    const bn = new SwitchableBatchNorm('us', { channels: 4, policy: 'config' });
    expect([...bn.namedVariables().keys()]).toEqual(['gamma', 'beta']);
    const x = fixture([3, 4], 5);
    const y = bn.forward(x, at(32, true, 1));
    expectClose(y, bnRows(rowsOf(x, 4), [1, 1, 1, 1], [0, 0, 0, 0]).flat(), 1e-5);
    expect(bn.keys()).toEqual([]);
    expect(() => bn.forward(x, at(32, false))).toThrow(/run calibrate\(\) for this configuration/);
    bn.setStatistics('w1.000-r32', [1, 2, 3, 4], [1, 1, 1, 1]);
    expect([...bn.namedVariables().keys()]).toEqual(['gamma', 'beta', 'w1.000-r32.running_mean', 'w1.000-r32.running_var']);
    tf.dispose([x, y]);
    bn.dispose();
  });

  it('bad options are named errors; cost counts the active affine parameters', () => {
    expect(() => new SwitchableBatchNorm('b', { channels: 4, policy: 'resolution' })).toThrow(ConfigError);
    expect(() => new SwitchableBatchNorm('b', { channels: 4, policy: 'resolution' })).toThrow(
      "b: policy 'resolution' needs the configurations to keep sets for (options.configs is empty)",
    );
    expect(() => new SwitchableBatchNorm('b', { channels: 0, policy: 'config' })).toThrow('b: channels must be a positive integer, got 0');
    expect(() => new SwitchableBatchNorm('b', { channels: 4, policy: 'config', momentum: 0 })).toThrow(/momentum must be in \(0, 1\]/);
    const bn = rsBn();
    expect(bn.cost([2, 7, 7, 6], at(96, false))).toMatchObject({ macs: 0, params: 12, outShape: [2, 7, 7, 6] });
    bn.dispose();
  });

  it('repeated training and inference passes leak no tensors', () => {
    const bn = rsBn();
    const x = fixture([2, 3, 3, 5], 6);
    expectNoLeak(() => bn.forward(x, at(96, true)));
    expectNoLeak(() => bn.forward(x, at(128, false)));
    expectNoLeak(() => {
      const { grads, value } = tf.variableGrads(() => tf.sum(bn.forward(x, at(160, true))) as tf.Scalar, bn.trainableVariables());
      return [value, ...Object.values(grads)];
    });
    x.dispose();
    bn.dispose();
  });

  it('version counts every write through the layer (new set, statistics, interpolation, training updates), not inference', () => {
    const bn = new SwitchableBatchNorm('bn', { channels: 4, policy: 'config' });
    const config = { width: 1, resolution: 8 };
    const v0 = bn.version;
    bn.setStatistics(bn.keyFor(config), [1, 2], [1, 1]); // creates the set, then writes it
    expect(bn.version).toBe(v0 + 2);
    bn.setStatistics(bn.keyFor(config), [1, 2], [1, 1]);
    expect(bn.version).toBe(v0 + 3);
    const x = fixture([2, 3, 3, 4], 1);
    tf.dispose(bn.forward(x, { config, training: false }));
    expect(bn.version).toBe(v0 + 3);
    tf.dispose(bn.forward(x, { config, training: true }));
    expect(bn.version).toBe(v0 + 4);
    const rs = rsBn();
    const r0 = rs.version;
    rs.interpolateResolution(112);
    expect(rs.version).toBe(r0 + 2); // the interpolated set is created, then written
    x.dispose();
    bn.dispose();
    rs.dispose();
  });
});
