import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointError, type ForwardContext, MODEL_SPEC_FORMAT, MODEL_SPEC_VERSION, type ModelSpec } from '@adaptnet/core';
import { saveModule } from '@adaptnet/core/node';
import { findBatchNorms } from '@adaptnet/norm';
import { fixture } from '@adaptnet/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModelFromSpec, type CheckpointFiles, loadModel as loadPortable, MissingModelSpecError } from '../src/index.js';
import { loadModel, writeModelSpec } from '../src/node.js';

const spec = (policy: 'config' | 'resolution'): ModelSpec => ({
  format: MODEL_SPEC_FORMAT,
  version: MODEL_SPEC_VERSION,
  architecture: 'mobilenet-v1',
  options: {
    input: 'small',
    inChannels: 1,
    numClasses: 5,
    widthRange: { min: 0.25, max: 1 },
    seed: 3,
    blocks: [
      [16, 1],
      [24, 2],
    ],
    stemChannels: 8,
  },
  resizable: false,
  norm:
    policy === 'config'
      ? { policy }
      : {
          policy,
          configs: [
            { width: 1, resolution: 12 },
            { width: 1, resolution: 8 },
          ],
        },
  trainedSpace: { widthRange: { min: 0.25, max: 1 }, resolutions: [12, 8] },
  strategy: { name: policy === 'config' ? 'mutualnet' : 'rsnet' },
});

const half: ForwardContext = { config: { width: 0.5, resolution: 12 }, training: false };

/** Gives every BN of `model` distinct statistics for a config, as calibration would. */
function fakeCalibrate(model: ReturnType<typeof buildModelFromSpec>, ctx: ForwardContext, seed: number): void {
  findBatchNorms(model).forEach(({ bn }, i) => {
    const mean = Array.from({ length: bn.channels }, (_, c) => Math.sin(seed + i + c));
    const variance = Array.from({ length: bn.channels }, (_, c) => 0.5 + Math.cos(seed + i * c) ** 2);
    bn.setStatistics(bn.keyFor(ctx.config), mean, variance);
  });
}

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'adaptnet-load-model-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadModel', () => {
  it('rebuilds network, weights and calibrated BN sets from the files alone (Node, in-memory and fetch)', async () => {
    const original = buildModelFromSpec(spec('config'));
    // Perturb weights so a fresh build from the same seed could not pass by accident.
    for (const v of original.trainableVariables()) v.assign(tf.tidy(() => tf.add(v, tf.mul(fixture(v.shape, 11), 0.1))));
    fakeCalibrate(original, half, 1);
    const wide: ForwardContext = { config: { width: 1, resolution: 8 }, training: false };
    fakeCalibrate(original, wide, 2);
    const out = join(dir, 'config');
    await saveModule(out, original, { architecture: 'test', spec: spec('config') });
    const x = fixture([2, 12, 12, 1], 5);
    const x8 = fixture([2, 8, 8, 1], 6);
    const want = original.forward(x, half);
    const want8 = original.forward(x8, wide);

    const before = tf.memory().numTensors;
    const node = await loadModel(out);
    expect(node.calibrated).toEqual(['w0.500-r12', 'w1.000-r8']);
    expect(node.spec).toEqual(spec('config'));
    const manifest = await readFile(join(out, 'model.json'), 'utf8');
    const binName = (JSON.parse(manifest) as { weightsManifest: { paths: string[] }[] }).weightsManifest[0]?.paths[0] as string;
    const files: CheckpointFiles = { manifest, weights: await readFile(join(out, binName)) };
    const memory = await loadPortable(files);
    const fetched = await loadPortable(`file://${out}/`, {
      fetch: async (url) => {
        const bytes = await readFile(new URL(url));
        return {
          ok: true,
          status: 200,
          json: async () => JSON.parse(bytes.toString('utf8')),
          arrayBuffer: async () => new Uint8Array(bytes).buffer,
        };
      },
    });
    for (const loaded of [node, memory, fetched]) {
      const got = loaded.model.forward(x, half);
      const got8 = loaded.model.forward(x8, wide);
      expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
      expect(Array.from(got8.dataSync())).toEqual(Array.from(want8.dataSync()));
      tf.dispose([got, got8]);
      loaded.model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([want, want8, x, x8]);
    original.dispose();
  });

  it('restores private per-resolution sets (RS-Nets policy)', async () => {
    const original = buildModelFromSpec(spec('resolution'));
    fakeCalibrate(original, { config: { width: 1, resolution: 12 }, training: false }, 4);
    const out = join(dir, 'rsnet');
    await saveModule(out, original, { architecture: 'test', spec: spec('resolution') });
    const loaded = await loadModel(out);
    const ctx: ForwardContext = { config: { width: 1, resolution: 12 }, training: false };
    const x = fixture([1, 12, 12, 1], 7);
    const [a, b] = [original.forward(x, ctx), loaded.model.forward(x, ctx)];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([a, b, x]);
    loaded.model.dispose();
    original.dispose();
  });

  it('a checkpoint without a spec is a named error; writeModelSpec converts it', async () => {
    const original = buildModelFromSpec(spec('config'));
    const out = join(dir, 'legacy');
    await saveModule(out, original, { architecture: 'test' });
    await expect(loadModel(out)).rejects.toThrow(MissingModelSpecError);
    await expect(loadModel(out)).rejects.toThrow(/has no model spec .*writeModelSpec\(dir, spec\)/);
    const withOption = await loadModel(out, { spec: spec('config') });
    withOption.model.dispose();
    // A spec the weights do not fit is refused and leaves the file as it was.
    const wrong = { ...spec('config'), options: { ...spec('config').options, numClasses: 7 } };
    await expect(writeModelSpec(out, wrong)).rejects.toThrow(/missing|numClasses|\[8,7\]|\[24,7\]/);
    await expect(loadModel(out)).rejects.toThrow(MissingModelSpecError);
    await writeModelSpec(out, spec('config'));
    const converted = await loadModel(out);
    expect(converted.header.spec).toEqual(spec('config'));
    converted.model.dispose();
    original.dispose();
  });

  it('modified weights fail the checksum; a spec of another architecture is a mismatch', async () => {
    const original = buildModelFromSpec(spec('config'));
    const out = join(dir, 'bad');
    const header = await saveModule(out, original, { architecture: 'test', spec: spec('config') });
    const bin = join(out, header.weightsManifest[0]?.paths[0] as string);
    const bytes = await readFile(bin);
    bytes[10] = (bytes[10] as number) ^ 1;
    await writeFile(bin, bytes);
    await expect(loadModel(out)).rejects.toThrow(/sha256/);
    const other = join(dir, 'other');
    await saveModule(other, original, { architecture: 'test', spec: { ...spec('config'), architecture: 'resnet-18' } });
    const err = await loadModel(other).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as CheckpointError).code).toBe('E_CHECKPOINT_MISMATCH');
    original.dispose();
  });
});
