import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createBackbone } from '@adaptnet/backbones';
import { ConfigRangeError, type ForwardContext } from '@adaptnet/core';
import { fixture } from '@adaptnet/testing';
import * as tfc from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSubnet, prepareSubnet, subnetMetadata } from '../src/index.js';
import { saveSubnet, subnetFiles } from '../src/node.js';
import { CASES, floatWeightBytes, nonTrivialBatchNorm as prepare, relativeError } from './helpers/backbones.js';

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
const LOADER = fileURLToPath(new URL('./fixtures/load-graph-model.mjs', import.meta.url));

/** A saved graph export, its input (raw float32) and where the plain-tfjs process writes its logits. */
interface LoaderJob {
  readonly dir: string;
  readonly input: string;
  readonly shape: number[];
  readonly output: string;
}
const loaderJobs: { job: LoaderJob; want: Float32Array }[] = [];

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
    it(`${name}: the exported Layers and graph models' logits equal the adaptive model's (relative ${TOLERANCE})`, async () => {
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
        // The graph format: tf.loadGraphModel (tfjs-converter) of the saved files.
        const artifacts = exportSubnet(model, config, { format: 'graph', accuracy: { top1: 0.5, top5: 0.9, samples: 100 } });
        const graphDir = `${out}-graph`;
        const savedGraph = await saveSubnet(artifacts, graphDir);
        const graph = await tfc.loadGraphModel(await subnetFiles(graphDir));
        const viaGraph = graph.predict(x) as tf.Tensor;
        expect(relativeError(viaGraph, want)).toBeLessThan(TOLERANCE);
        expect(relativeError(viaGraph, got)).toBeLessThan(TOLERANCE);
        expect(subnetMetadata(graph)).toEqual(subnetMetadata(subnet));
        // Its weights are the Layers model's, plus a few int32 shape and axis constants.
        expect(floatWeightBytes(artifacts)).toBe(4 * subnet.countParams());
        expect(savedGraph.weightBytes).toBeGreaterThan(floatWeightBytes(artifacts));
        const input = join(graphDir, 'input.bin');
        await writeFile(input, x.dataSync() as Float32Array);
        loaderJobs.push({
          job: { dir: graphDir, input, shape: x.shape, output: join(graphDir, 'logits.bin') },
          want: want.dataSync() as Float32Array,
        });
        tf.dispose([got, again, viaGraph]);
        subnet.dispose();
        loaded.dispose();
        graph.dispose();
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([x, want]);
      }
      model.dispose();
    });
  }

  it('the graph exports load and run in a process that imports only tfjs-core, tfjs-backend-cpu and tfjs-converter', async () => {
    expect(loaderJobs.length).toBe(CASES.reduce((n, c) => n + c.configs.length, 0));
    const source = await readFile(LOADER, 'utf8');
    const imports = [...source.matchAll(/^import (?:.* from )?'([^']+)'/gm)].map((m) => m[1]);
    expect(new Set(imports)).toEqual(
      new Set(['node:fs/promises', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-converter']),
    );
    await promisify(execFile)(process.execPath, [LOADER, JSON.stringify(loaderJobs.map((j) => j.job))], { timeout: 60_000 });
    for (const { job, want } of loaderJobs) {
      const bytes = await readFile(job.output);
      const [a, b] = [tf.tensor(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)), tf.tensor(want)];
      expect(relativeError(a, b)).toBeLessThan(TOLERANCE);
      tf.dispose([a, b]);
    }
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
      /resize\d? resizes by 0.5, and tfjs-layers' Resizing layer.*format: 'graph'/,
    );
    tf.dispose([x, exported, fused]);
    prepared.dispose();
    subnet.dispose();
    model.dispose();
  });
});
