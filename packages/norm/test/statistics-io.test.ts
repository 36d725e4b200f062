import { ConfigError, ShapeError, type SubnetConfig } from '@adaptnet/core';
import { fixture, testBackends, useBackend } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BN_STATISTICS_FORMAT, calibrate, exportStatistics, importStatistics } from '../src/index.js';
import { C, TinyNet } from './helpers/tiny-net.js';

const BACKENDS = await testBackends();
const HALF: SubnetConfig = { width: 0.5, resolution: 4 };

describe.each(BACKENDS)('statistics export/import on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('a calibrated configuration survives JSON and restores into a fresh model with identical outputs', async () => {
    const a = new TinyNet();
    const b = new TinyNet();
    const batches = [0, 1, 2].map((i) => fixture([4, 3, 3, C], 900 + i));
    try {
      await calibrate(a, batches, [HALF], { samples: 10 });
      const stats = exportStatistics(a, HALF);
      expect(stats.format).toBe(BN_STATISTICS_FORMAT);
      expect(Object.keys(stats.layers)).toEqual(['bn1', 'block.bn2']);
      expect(stats.layers.bn1!.key).toBe('w0.500-r4');
      expect(stats.layers.bn1!.mean).toHaveLength(C);
      importStatistics(b, JSON.parse(JSON.stringify(stats)));
      expect(b.bn2.values('w0.500-r4')).toEqual(a.bn2.values('w0.500-r4'));
      const ya = a.forward(batches[0]!, { config: HALF, training: false });
      const yb = b.forward(batches[0]!, { config: HALF, training: false });
      expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync()));
      tf.dispose([ya, yb]);
    } finally {
      tf.dispose(batches);
      a.dispose();
      b.dispose();
    }
  });

  it('validates everything before writing anything', async () => {
    const a = new TinyNet();
    const b = new TinyNet();
    const batches = [fixture([4, 2, 2, C], 950)];
    try {
      await calibrate(a, batches, [HALF], { samples: 4 });
      const good = JSON.parse(JSON.stringify(exportStatistics(a, HALF)));
      const broken = (edit: (s: typeof good) => void) => {
        const s = structuredClone(good);
        edit(s);
        return s;
      };
      expect(() =>
        importStatistics(
          b,
          broken((s) => {
            s.format = 'x';
          }),
        ),
      ).toThrow('importStatistics: format must be \'adaptnet-bn-statistics\', got "x"');
      expect(() =>
        importStatistics(
          b,
          broken((s) => {
            s.version = 2;
          }),
        ),
      ).toThrow('importStatistics: unsupported version 2; supported: 1');
      expect(() =>
        importStatistics(
          b,
          broken((s) => {
            s.config.width = 'wide';
          }),
        ),
      ).toThrow(ConfigError);
      expect(() =>
        importStatistics(
          b,
          broken((s) => {
            s.layers.nope = s.layers.bn1;
          }),
        ),
      ).toThrow("importStatistics: no SwitchableBatchNorm at 'nope'; the model has: bn1, block.bn2");
      expect(() =>
        importStatistics(
          b,
          broken((s) => {
            s.layers['block.bn2'].key = 'w1.000-r4';
          }),
        ),
      ).toThrow("importStatistics: layers['block.bn2'].key is \"w1.000-r4\", but this layer's key for the configuration is 'w0.500-r4'");
      expect(() =>
        importStatistics(
          b,
          broken((s) => s.layers['block.bn2'].mean.pop()),
        ),
      ).toThrow(ShapeError);
      expect(() =>
        importStatistics(
          b,
          broken((s) => s.layers['block.bn2'].mean.pop()),
        ),
      ).toThrow("importStatistics: layers['block.bn2'] has 7 means and 8 variances; the layer has 8 channels");
      expect(() =>
        importStatistics(
          b,
          broken((s) => {
            s.layers['block.bn2'].variance[0] = -1;
          }),
        ),
      ).toThrow(/negative/);
      expect(() =>
        importStatistics(
          b,
          broken((s) => {
            s.layers['block.bn2'].variance[0] = null;
          }),
        ),
      ).toThrow(/array of finite numbers/);
      expect(b.bn1.keys()).toEqual([]); // bn1 was valid each time, but nothing was written
      expect(() => exportStatistics(b, HALF)).toThrow(/no BN layer of tiny holds statistics/);
    } finally {
      tf.dispose(batches);
      a.dispose();
      b.dispose();
    }
  });
});
