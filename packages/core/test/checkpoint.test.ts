import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TinyConvNet } from '../fixtures/tiny-convnet.js';
import { CheckpointError } from '../src/index.js';
import { loadCheckpoint, loadModule, readCheckpointHeader, saveCheckpoint, saveModule } from '../src/node.js';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'adaptnet-ckpt-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ARCH = 'tiny-convnet';
const expectCode = async (p: Promise<unknown>, code: string, message: RegExp) => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CheckpointError);
  expect((err as CheckpointError).code).toBe(code);
  expect((err as Error).message).toMatch(message);
};

const binOf = async (d: string) => join(d, (await readCheckpointHeader(d)).weightsManifest[0]!.paths[0]!);

describe('checkpoints', () => {
  it('round-trips every variable of a module, BN statistics included', async () => {
    const a = new TinyConvNet(10, 1);
    const b = new TinyConvNet(10, 2);
    a.namedVariables()
      .get('stem.bn.running_mean')!
      .assign(tf.fill([16], 0.5));
    await saveModule(dir, a, { architecture: ARCH, trainedSpace: { width: { min: 0.25, max: 1 } }, meta: { step: 10 } });
    const header = await loadModule(dir, b, ARCH);
    expect(header.meta).toEqual({ step: 10 });
    for (const [name, v] of a.namedVariables()) {
      expect(Array.from(b.namedVariables().get(name)!.dataSync())).toEqual(Array.from(v.dataSync()));
    }
    a.dispose();
    b.dispose();
  });

  it('is readable by tfjs io (weights manifest + .bin layout)', async () => {
    const t = new Map<string, tf.Tensor>([
      ['a', tf.tensor2d([[1, 2, 3]])],
      ['b', tf.tensor1d([7, -8], 'int32')],
    ]);
    const header = await saveCheckpoint(dir, t, { architecture: ARCH });
    const bin = await readFile(await binOf(dir));
    const decoded = tf.io.decodeWeights(new Uint8Array(bin).buffer, header.weightsManifest[0]!.weights);
    expect(Array.from(decoded.a!.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(decoded.b!.dataSync())).toEqual([7, -8]);
    tf.dispose([...t.values(), ...Object.values(decoded)]);
  });

  it('refuses a checkpoint of another architecture before reading weights', async () => {
    await saveCheckpoint(dir, new Map([['w', tf.ones([2])]]), { architecture: 'mobilenet-v2' });
    await rm(await binOf(dir));
    await expectCode(loadCheckpoint(dir, { expectArchitecture: ARCH }), 'E_CHECKPOINT_ARCH', /'mobilenet-v2', expected 'tiny-convnet'/);
  });

  it('detects a truncated weights file', async () => {
    await saveCheckpoint(dir, new Map([['w', tf.ones([64])]]), { architecture: ARCH });
    await truncate(await binOf(dir), 100);
    await expectCode(loadCheckpoint(dir), 'E_CHECKPOINT_CORRUPT', /100 bytes, the manifest says 256 \(truncated\?\)/);
  });

  it('detects a modified weights file by its checksum', async () => {
    await saveCheckpoint(dir, new Map([['w', tf.ones([8])]]), { architecture: ARCH });
    const path = await binOf(dir);
    const bytes = await readFile(path);
    bytes[5] = (bytes[5] ?? 0) ^ 0xff;
    await writeFile(path, bytes);
    await expectCode(loadCheckpoint(dir), 'E_CHECKPOINT_CORRUPT', /sha256/);
  });

  it('names a missing checkpoint, a corrupt manifest and a foreign JSON file', async () => {
    await expectCode(loadCheckpoint(join(dir, 'nope')), 'E_CHECKPOINT_MISSING', /no checkpoint manifest at .*nope/);
    await writeFile(join(dir, 'model.json'), '{"format": "adaptnet-checkpoint", ');
    await expectCode(loadCheckpoint(dir), 'E_CHECKPOINT_CORRUPT', /not valid JSON/);
    await writeFile(join(dir, 'model.json'), JSON.stringify({ modelTopology: {}, weightsManifest: [] }));
    await expectCode(loadCheckpoint(dir), 'E_CHECKPOINT_FORMAT', /is not an adaptnet-checkpoint v1 manifest \(format:/);
  });

  it('refuses weight paths that leave the checkpoint directory', async () => {
    await saveCheckpoint(dir, new Map([['w', tf.ones([2])]]), { architecture: ARCH });
    const header = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    header.weightsManifest[0].paths = ['../../etc/passwd'];
    await writeFile(join(dir, 'model.json'), JSON.stringify(header));
    await expectCode(loadCheckpoint(dir), 'E_CHECKPOINT_FORMAT', /weightsManifest/);
  });

  it('names variables whose shapes differ from the model', async () => {
    const a = new TinyConvNet(10, 1);
    const b = new TinyConvNet(5, 1);
    await saveModule(dir, a, { architecture: ARCH });
    await expectCode(loadModule(dir, b, ARCH), 'E_CHECKPOINT_MISMATCH', /'fc\.weight' is float32\[32,10\], the model has float32\[32,5\]/);
    a.dispose();
    b.dispose();
  });

  it('re-saving replaces the weights atomically and leaves no temporary files', async () => {
    await saveCheckpoint(dir, new Map([['w', tf.ones([4])]]), { architecture: ARCH });
    await saveCheckpoint(dir, new Map([['w', tf.fill([4], 3)]]), { architecture: ARCH });
    const files = await readdir(dir);
    expect(files.filter((f) => f.endsWith('.bin'))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.tmp'))).toHaveLength(0);
    const { tensors } = await loadCheckpoint(dir);
    expect(Array.from(tensors.get('w')!.dataSync())).toEqual([3, 3, 3, 3]);
    tf.dispose([...tensors.values()]);
  });

  it('a save that fails midway leaves the previous checkpoint loadable', async () => {
    await saveCheckpoint(dir, new Map([['w', tf.ones([4])]]), { architecture: ARCH });
    const bad = new Map<string, tf.Tensor>([
      ['w', tf.fill([4], 9)],
      ['flag', tf.tensor1d([true], 'bool')],
    ]);
    await expect(saveCheckpoint(dir, bad, { architecture: ARCH })).rejects.toThrow(/dtype bool/);
    const { tensors } = await loadCheckpoint(dir);
    expect(Array.from(tensors.get('w')!.dataSync())).toEqual([1, 1, 1, 1]);
    tf.dispose([...tensors.values()]);
  });
});
