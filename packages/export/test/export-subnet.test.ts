import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackbone } from '@adaptnet/backbones';
import { ConfigRangeError, type ForwardContext } from '@adaptnet/core';
import { fixture } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSubnet, prepareSubnet, subnetMetadata } from '../src/index.js';
import { saveSubnet } from '../src/node.js';
import { CASES, nonTrivialBatchNorm as prepare, relativeError } from './helpers/backbones.js';

/** Loads saved files with tfjs alone: the two files read and handed to tf.io.fromMemory. */
async function loadPlain(dir: string): Promise<tfl.LayersModel> {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const bin = await readFile(join(dir, json.weightsManifest[0]?.paths[0] as string));
  return tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0]?.weights,
      weightData: new Uint8Array(bin).buffer,
      ...(json.userDefinedMetadata === undefined ? {} : { userDefinedMetadata: json.userDefinedMetadata }),
    }),
  );
}

const TOLERANCE = 1e-4;
let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'adaptnet-export-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('exportSubnet', () => {
  for (const { name, options, configs } of CASES) {
    it(`${name}: the exported Layers model's logits equal the adaptive model's (relative ${TOLERANCE})`, async () => {
      const model = createBackbone(name, { numClasses: 6, seed: 1, ...options });
      prepare(model, configs, 3);
      for (const config of configs) {
        const ctx: ForwardContext = { config, training: false };
        const x = fixture([2, config.resolution, config.resolution, 3], 5);
        const want = model.forward(x, ctx);
        const before = tf.memory().numTensors;
        const subnet = exportSubnet(model, config, { accuracy: { top1: 0.5, top5: 0.9, samples: 100 } });
        const got = subnet.predict(x) as tf.Tensor;
        expect(relativeError(got, want)).toBeLessThan(TOLERANCE);
        const out = join(dir, `${name}-${config.width}-${config.resolution}`);
        await saveSubnet(subnet, out);
        const loaded = await loadPlain(out);
        const again = loaded.predict(x) as tf.Tensor;
        expect(relativeError(again, want)).toBeLessThan(TOLERANCE);
        expect(subnetMetadata(loaded)).toEqual(subnetMetadata(subnet));
        tf.dispose([got, again]);
        subnet.dispose();
        loaded.dispose();
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([x, want]);
      }
      model.dispose();
    });
  }

  it('weights shrink with width exactly as the folded parameter count predicts', async () => {
    const { options } = CASES[0] as (typeof CASES)[number];
    const model = createBackbone('mobilenet-v1', { numClasses: 6, ...options });
    const widths = [0.25, 0.5, 0.75, 1];
    prepare(
      model,
      widths.map((width) => ({ width, resolution: 12 })),
      9,
    );
    const sizes: number[] = [];
    for (const width of widths) {
      const subnet = exportSubnet(model, { width, resolution: 12 });
      const meta = subnetMetadata(subnet);
      const saved = await saveSubnet(subnet, join(dir, `size-${width}`));
      // Independent counts: tfjs-layers' own parameter count, and the analytic cost minus one BN parameter per channel.
      expect(saved.weightBytes).toBe(4 * subnet.countParams());
      expect(saved.weightBytes).toBe(4 * (meta?.exportedParams as number));
      sizes.push(saved.weightBytes);
      subnet.dispose();
    }
    expect(new Set(sizes).size).toBe(widths.length);
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    model.dispose();
  });

  it('carries MACs, parameters and accuracy in userDefinedMetadata', () => {
    // One 3×3 conv (1 → 8 at width 1), pool, dense 8 → 2 on 4×4 inputs, counted by hand.
    const model = createBackbone('mobilenet-v1', { input: 'small', inChannels: 1, numClasses: 2, blocks: [[8, 1]], stemChannels: 8 });
    prepare(model, [{ width: 1, resolution: 4 }], 2);
    const subnet = exportSubnet(model, { width: 1, resolution: 4 }, { accuracy: { top1: 0.8 }, extra: { classes: ['a', 'b'] } });
    const stem = 16 * 9 * 8;
    const dw = 16 * 9 * 8;
    const pw = 16 * 8 * 8;
    expect(subnetMetadata(subnet)).toMatchObject({
      config: { width: 1, resolution: 4 },
      inputShape: [4, 4, 1],
      macs: stem + dw + pw + 16 * 8 + 8 * 2,
      exportedParams: 9 * 8 + 8 + 9 * 8 + 8 + 8 * 8 + 8 + 8 * 2 + 2,
      accuracy: { top1: 0.8 },
      extra: { classes: ['a', 'b'] },
    });
    subnet.dispose();
    model.dispose();
  });

  it('a configuration without calibrated BN statistics is a named error', () => {
    const model = createBackbone('mobilenet-v1', { input: 'small', inChannels: 1, numClasses: 2, blocks: [[8, 1]], stemChannels: 8 });
    expect(() => exportSubnet(model, { width: 0.5, resolution: 4 })).toThrow(ConfigRangeError);
    expect(() => exportSubnet(model, { width: 0.5, resolution: 4 })).toThrow(/no BatchNorm set for key 'w0.500-r4'.*calibrate/);
    model.dispose();
  });

  it('is the prepared configuration as a Layers model: same weights, same logits; refuses feature-map scales with a named error', () => {
    const configs = [
      { width: 0.5, resolution: 12, scales: [1] },
      { width: 0.5, resolution: 12, scales: [0.5] },
    ];
    const model = createBackbone('mobilenet-v1', { ...(CASES[0]?.options as object), numClasses: 4, resizable: true, norm: { configs } });
    prepare(model, configs, 4);
    const config = configs[0] as (typeof configs)[number];
    const x = fixture([2, 12, 12, 3], 8);
    const prepared = prepareSubnet(model, config);
    const subnet = exportSubnet(model, config);
    const exported = subnet.predict(x) as tf.Tensor;
    const fused = prepared.predict(x);
    expect(relativeError(exported, fused)).toBeLessThan(1e-5);
    const weights = subnet.getWeights();
    expect(weights.reduce((n, w) => n + w.size * 4, 0)).toBe(prepared.bytes);
    expect(() => exportSubnet(model, configs[1] as (typeof configs)[number])).toThrow(
      /resize\d? resizes by 0.5, and tfjs-layers' Resizing layer/,
    );
    tf.dispose([x, exported, fused]);
    prepared.dispose();
    subnet.dispose();
    model.dispose();
  });
});
