// The transfer path through the CLI: an adaptnet-classify run's backbone initialises a detector.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '@adaptnet/backbones/node';
import { initBackend } from '@adaptnet/core/node';
import { loadDetector } from '@adaptnet/detection/node';
import type { CliOutput } from '@adaptnet/train/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/index.js';

const CLASSIFY = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'classify', 'dist', 'cli.js');

async function cli(...argv: string[]) {
  const infos: string[] = [];
  const out: CliOutput = { result: () => undefined, info: (t) => infos.push(t) };
  const code = await main(argv, out);
  return { code, stderr: infos.join('\n'), errors: infos.filter((l) => l.startsWith('adaptnet-detect: error')) };
}

describe.skipIf(!existsSync(CLASSIFY))('--backbone-from a classification run', () => {
  let root: string;
  let classify: string;
  let data: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'detect-transfer-'));
    classify = join(root, 'classify');
    data = join(root, 'data');
    // Two MutualNet steps of adaptnet-classify's reference network on Fashion-MNIST.
    execFileSync(
      process.execPath,
      [CLASSIFY, 'train', '--out', classify, '--train-subset', '64', '--batch-size', '32', '--epochs', '1', '--progress', 'none'],
      {
        stdio: 'ignore',
      },
    );
    const made = await cli(
      'make-data',
      '--out',
      data,
      '--train',
      '8',
      '--val',
      '2',
      '--min-canvas',
      '48',
      '--max-canvas',
      '48',
      '--max-side',
      '32',
    );
    expect(made.code, made.stderr).toBe(0);
  }, 600_000);

  it("copies every backbone weight: after one step at lr 1e-9 the detector's backbone is the classifier's", async () => {
    const run = join(root, 'det');
    const t = await cli(
      'train',
      '--out',
      run,
      '--data',
      data,
      '--backbone-from',
      classify,
      '--lr',
      '1e-9',
      '--sizes',
      '32',
      '--batch-size',
      '8',
      '--epochs',
      '1',
      '--progress',
      'none',
    );
    expect(t.code, t.stderr).toBe(0);
    const m = /\[train\] backbone initialised from .*: (\d+) variables copied, (\d+) left out/.exec(t.stderr);
    expect(m, t.stderr).not.toBeNull();
    const recipe = JSON.parse(await readFile(join(run, 'run.json'), 'utf8')) as {
      model: { backboneFrom: { run: string; modelSha256: string } };
    };
    expect(recipe.model.backboneFrom.run).toBe(classify);
    expect(recipe.model.backboneFrom.modelSha256).toMatch(/^[0-9a-f]{64}$/);

    await initBackend({ log: false });
    const { detector } = await loadDetector(join(run, 'model'));
    const classifier = (await loadModel(join(classify, 'model'))).model;
    try {
      const source = classifier.namedVariables();
      const target = detector.backbone.namedVariables();
      expect(target.size).toBe(Number((m as RegExpExecArray)[1]));
      let compared = 0;
      for (const [name, v] of target) {
        if (!v.trainable) continue; // BN running statistics move in the training step's forward pass
        const a = v.dataSync();
        const b = (source.get(name) as NonNullable<ReturnType<typeof source.get>>).dataSync();
        expect(a.length).toBe(b.length);
        let worst = 0;
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
        expect(worst, name).toBeLessThan(1e-6);
        compared++;
      }
      expect(compared).toBeGreaterThan(10);
    } finally {
      detector.dispose();
      classifier.dispose();
    }
  }, 600_000);

  it('a folder without trained weights is a one-line error, exit code 2', async () => {
    const r = await cli('train', '--out', join(root, 'x'), '--data', data, '--backbone-from', data);
    expect(r.code).toBe(2);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/--backbone-from .*: no trained weights in .*model \(an adaptnet-classify run's folder is expected\)/);
    // A detector run (trained by the test above) is named as what it is.
    const det = await cli('train', '--out', join(root, 'y'), '--data', data, '--backbone-from', join(root, 'det'));
    expect(det.code).toBe(2);
    expect(det.errors).toEqual([
      expect.stringMatching(
        /--backbone-from .*det holds a run of format adaptnet-detect-run, not an adaptnet-classify run; give the folder of a trained classifier/,
      ),
    ]);
  });
});
