import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackbone } from '@adaptnet/backbones';
import { ConfigError, type SubnetConfig } from '@adaptnet/core';
import { fixture } from '@adaptnet/testing';
import * as tfc from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSubnet, type SubnetMetadata, subnetMetadata } from '../src/index.js';
import { saveSubnet } from '../src/node.js';
import { CASES, floatWeightBytes, nonTrivialBatchNorm as prepare, relativeError } from './helpers/backbones.js';

const TOLERANCE = 1e-4;

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'adaptnet-export-graph-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("exportSubnet(..., { format: 'graph' })", () => {
  it('resizable networks export at every scale: ResizeBilinear with half-pixel centres, the adaptive logits', async () => {
    const configs: SubnetConfig[] = [
      { width: 0.5, resolution: 12, scales: [0.5, 1, 1] },
      { width: 1, resolution: 12, scales: [0.75, 1, 0.5] },
      { width: 0.5, resolution: 13, scales: [1.5, 0.25, 0.6] },
    ];
    const blocks = [
      [16, 1],
      [24, 2],
      [24, 1],
      [32, 2],
      [32, 1],
    ];
    const options = { input: 'small', stemChannels: 8, blocks, numClasses: 4, seed: 2, resizable: true, norm: { configs } };
    const model = createBackbone('mobilenet-v1', options);
    expect(model.resizes.length).toBe(3);
    prepare(model, configs, 4);
    for (const config of configs) {
      const x = fixture([2, config.resolution, config.resolution, 3], 9);
      const want = model.forward(x, { config, training: false });
      const artifacts = exportSubnet(model, config, { format: 'graph' });
      const nodes = (artifacts.modelTopology as { node: { op: string; attr?: Record<string, { b?: boolean }> }[] }).node;
      const resizes = nodes.filter((n) => n.op === 'ResizeBilinear');
      expect(resizes.length).toBe((config.scales ?? []).filter((s) => s !== 1).length);
      for (const r of resizes) expect([r.attr?.half_pixel_centers?.b, r.attr?.align_corners?.b]).toEqual([true, false]);
      const graph = await tfc.loadGraphModel(tf.io.fromMemory(artifacts));
      const got = graph.predict(x) as tf.Tensor;
      expect(relativeError(got, want)).toBeLessThan(TOLERANCE);
      // The same graph with aligned corners (what tfjs-layers' Resizing does) is measurably further off: the attributes matter.
      const aligned = structuredClone(artifacts.modelTopology) as typeof artifacts.modelTopology & { node: typeof nodes };
      for (const n of aligned.node)
        if (n.op === 'ResizeBilinear') n.attr = { ...n.attr, align_corners: { b: true }, half_pixel_centers: { b: false } };
      const wrong = await tfc.loadGraphModel(tf.io.fromMemory({ ...artifacts, modelTopology: aligned }));
      const off = wrong.predict(x) as tf.Tensor;
      // Measured: ours ≤ 1.1e-7, aligned corners 1e-5 to 8e-3 (global pooling averages much of the difference away).
      expect(relativeError(off, want)).toBeGreaterThan(20 * Math.max(relativeError(got, want), 1e-7));
      tf.dispose([x, want, got, off]);
      graph.dispose();
      wrong.dispose();
    }
    model.dispose();
  });

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
    let overhead: number | undefined;
    for (const width of widths) {
      const artifacts = exportSubnet(model, { width, resolution: 12 }, { format: 'graph' });
      const meta = subnetMetadata(artifacts) as SubnetMetadata;
      const saved = await saveSubnet(artifacts, join(dir, `size-${width}`));
      const onDisk = (await readFile(saved.weightsPath)).byteLength;
      expect(onDisk).toBe(saved.weightBytes);
      expect(floatWeightBytes(artifacts)).toBe(4 * meta.exportedParams);
      // The int32 constants (shapes, axes) do not depend on the width.
      overhead ??= saved.weightBytes - 4 * meta.exportedParams;
      expect(saved.weightBytes - 4 * meta.exportedParams).toBe(overhead);
      sizes.push(saved.weightBytes);
    }
    expect(new Set(sizes).size).toBe(widths.length);
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    model.dispose();
  });

  it('an unknown format is a named error', () => {
    const model = createBackbone('mobilenet-v1', { input: 'small', inChannels: 1, numClasses: 2, blocks: [[8, 1]], stemChannels: 8 });
    prepare(model, [{ width: 1, resolution: 4 }], 2);
    const options = { format: 'onnx' } as unknown as { format: 'graph' };
    expect(() => exportSubnet(model, { width: 1, resolution: 4 }, options)).toThrow(ConfigError);
    expect(() => exportSubnet(model, { width: 1, resolution: 4 }, options)).toThrow(/unknown format 'onnx'; allowed: layers, graph/);
    model.dispose();
  });
});
