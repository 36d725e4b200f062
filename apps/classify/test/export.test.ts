import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MissingModelSpecError } from '@adaptnet/backbones';
import { loadModel } from '@adaptnet/backbones/node';
import { loadQueryTable } from '@adaptnet/query-table/node';
import { fixture } from '@adaptnet/testing';
import * as tfc from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTrainedModel, main, type Output } from '../src/index.js';
import { readRunManifest } from '../src/run-manifest.js';

async function cli(...argv: string[]) {
  const results: string[] = [];
  const infos: string[] = [];
  const out: Output = { result: (t) => results.push(t), info: (t) => infos.push(t) };
  const code = await main(argv, out);
  return { code, stdout: results.join('\n'), stderr: infos.join('\n') };
}

async function loadPlain(dir: string): Promise<tfl.LayersModel> {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const bin = await readFile(join(dir, 'weights.bin'));
  return tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0]?.weights,
      weightData: new Uint8Array(bin).buffer,
      ...(json.userDefinedMetadata === undefined ? {} : { userDefinedMetadata: json.userDefinedMetadata }),
    }),
  );
}

describe('adaptnet-classify export', () => {
  let root: string;
  let run: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'classify-export-'));
    run = join(root, 'run');
    const train = await cli('train', '--out', run, '--train-subset', '128', '--batch-size', '64', '--epochs', '1', '--progress', 'none');
    expect(train.code, train.stderr).toBe(0);
    const table = await cli('table', '--run', run, '--width-step', '0.25', '--calibration-samples', '64', '--max-batches', '1');
    expect(table.code, table.stderr).toBe(0);
  }, 600_000);

  it('--max-mflops exports the table configuration; plain tfjs reproduces the adaptive logits', async () => {
    const out = join(root, 'small');
    const r = await cli('export', '--run', run, '--max-mflops', '2', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const table = await loadQueryTable(join(run, 'table.json'));
    const row = table.query({ maxMacs: 2e6 });
    expect(r.stdout).toContain(`width ${row.config.width} resolution ${row.config.resolution}`);
    const loaded = await loadPlain(out);
    const meta = (loaded.getUserDefinedMetadata() as { adaptnet: { macs: number; accuracy: { top1: number } } }).adaptnet;
    expect(meta.macs).toBe(row.macs);
    expect(meta.accuracy.top1).toBe(row.top1);
    const model = await loadTrainedModel(run, await readRunManifest(run));
    table.applyStatistics(model, row.config);
    const x = fixture([3, row.config.resolution, row.config.resolution, 1], 4);
    const want = model.forward(x, { config: row.config, training: false });
    const got = loaded.predict(x) as tf.Tensor;
    const diff = tf.max(tf.abs(tf.sub(got, want))).dataSync()[0] as number;
    const scale = tf.max(tf.abs(want)).dataSync()[0] as number;
    expect(diff / scale).toBeLessThan(1e-4);
    // The same configuration as a graph model: tf.loadGraphModel gives the same logits.
    const graphOut = join(root, 'small-graph');
    const g = await cli('export', '--run', run, '--max-mflops', '2', '--format', 'graph', '--out', graphOut);
    expect(g.code, g.stderr).toBe(0);
    expect(g.stdout).toContain('graph model');
    const json = JSON.parse(await readFile(join(graphOut, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    expect(json.format).toBe('graph-model');
    const graph = await tfc.loadGraphModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0]?.weights,
        weightData: new Uint8Array(await readFile(join(graphOut, 'weights.bin'))).buffer,
        ...(json.signature === undefined ? {} : { signature: json.signature }),
      }),
    );
    const viaGraph = graph.predict(x) as tf.Tensor;
    const graphDiff = tf.max(tf.abs(tf.sub(viaGraph, want))).dataSync()[0] as number;
    expect(graphDiff / scale).toBeLessThan(1e-4);
    tf.dispose([x, want, got, viaGraph]);
    model.dispose();
    loaded.dispose();
    graph.dispose();
  });

  it('--width/--resolution outside the table calibrates; bad flags are one-line errors with exit 2', async () => {
    const out = join(root, 'named');
    const r = await cli('export', '--run', run, '--width', '0.4', '--resolution', '20', '--calibration-samples', '64', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/width 0.4 resolution 20: .* \(BN from calibration on 64 training images\)/);
    for (const args of [
      ['--width', '0.5', '--max-mflops', '3'],
      [],
      ['--width', '0.5'],
      ['--width', '3', '--resolution', '28'],
      ['--max-mflops', '2', '--format', 'onnx'],
      ['--width', '0.5', '--resolution', '5000'],
    ]) {
      const bad = await cli('export', '--run', run, '--out', join(root, 'bad'), ...args);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('never overwrites by accident: an earlier export needs --force, a run folder, its model/ and a file are refused', async () => {
    const out = join(root, 'again');
    expect((await cli('export', '--run', run, '--max-mflops', '2', '--out', out)).code).toBe(0);
    const first = await readFile(join(out, 'weights.bin'));
    const again = await cli('export', '--run', run, '--width', '0.5', '--resolution', '20', '--calibration-samples', '64', '--out', out);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds an exported model \(model\.json, weights\.bin\); pass --force/);
    expect(await readFile(join(out, 'weights.bin'))).toEqual(first);
    const forced = await cli(
      'export',
      '--run',
      run,
      '--width',
      '0.5',
      '--resolution',
      '20',
      '--calibration-samples',
      '64',
      '--out',
      out,
      '--force',
    );
    expect(forced.code, forced.stderr).toBe(0);
    expect(await readFile(join(out, 'weights.bin'))).not.toEqual(first);

    const runModel = await readFile(join(run, 'model', 'model.json'));
    for (const target of [run, join(run, 'model')]) {
      const r = await cli('export', '--run', run, '--max-mflops', '2', '--out', target, '--force');
      expect(r.code, target).toBe(2);
      expect(r.stderr).toMatch(/is a training run or one of its folders/);
    }
    expect(await readFile(join(run, 'model', 'model.json'))).toEqual(runModel);
    const file = join(root, 'a-file');
    await writeFile(file, 'keep me');
    const onFile = await cli('export', '--run', run, '--max-mflops', '2', '--out', file);
    expect(onFile.code).toBe(2);
    expect(onFile.stderr).toMatch(/is a file; give a folder/);
    expect(await readFile(file, 'utf8')).toBe('keep me');
  });

  it('a run saved before model specs loads through run.json; the library names the missing spec', async () => {
    const manifestPath = join(run, 'model', 'model.json');
    const header = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
    expect(header.spec).toMatchObject({ architecture: 'mobilenet-v1', strategy: { name: 'mutualnet' } });
    const library = await loadModel(join(run, 'model'));
    const config = { width: 0.5, resolution: 20 };
    const x = fixture([2, 20, 20, 1], 3);
    delete header.spec;
    await writeFile(manifestPath, JSON.stringify(header));
    await expect(loadModel(join(run, 'model'))).rejects.toThrow(MissingModelSpecError);
    // The app rebuilds the same network from run.json.
    const legacy = await loadTrainedModel(run, await readRunManifest(run));
    const [a, b] = [library.model, legacy].map((m) => m.forward(x, { config, training: true }));
    expect(Array.from((b as tf.Tensor).dataSync())).toEqual(Array.from((a as tf.Tensor).dataSync()));
    tf.dispose([a as tf.Tensor, b as tf.Tensor, x]);
    library.model.dispose();
    legacy.dispose();
    // The run's record no longer matches the edited model.json: the CLI names the stale file (#14).
    const r = await cli('export', '--run', run, '--max-mflops', '2', '--out', join(root, 'legacy'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/model is stale or modified/);
  });
});
