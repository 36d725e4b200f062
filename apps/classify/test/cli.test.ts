import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFashionMnist } from '@adaptnet/data/node';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { main, type Output } from '../src/index.js';

function capture(): Output & { results: string[]; infos: string[] } {
  const results: string[] = [];
  const infos: string[] = [];
  return { results, infos, result: (t) => results.push(t), info: (t) => infos.push(t) };
}

async function cli(...argv: string[]) {
  const out = capture();
  const code = await main(argv, out);
  return { code, stdout: out.results.join('\n'), stderr: out.infos.join('\n') };
}

// A tiny but real run: 384 Fashion-MNIST images, batches of 64, 2 epochs.
const tiny = ['--train-subset', '384', '--batch-size', '64', '--epochs', '2', '--progress', 'none'];
const quickEval = ['--calibration-samples', '128', '--max-batches', '1'];

describe('adaptnet-classify', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'classify-'));
  });

  it('train → table → query → predict on real data', async () => {
    const run = join(root, 'mutualnet');
    const train = await cli('train', '--out', run, '--strategy', 'mutualnet', ...tiny);
    expect(train.stderr).toMatch(/\[train\] mutualnet on fashion-mnist \(384 images, 6 batches of 64 per epoch\)/);
    expect(train.code, train.stderr).toBe(0);
    expect(train.stderr).toMatch(/done: 12 steps/);

    const table = await cli('table', '--run', run, '--width-step', '0.25', ...quickEval);
    expect(table.code, table.stderr).toBe(0);
    // Frontier lines: width, resolution, MFLOPs, params, top-1, top-5; MFLOPs ascending, top-1 strictly increasing.
    const rows = table.stdout
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((c) => c.length === 6 && /^[0-9.]+$/.test(c[0] as string))
      .map((c) => ({ mflops: Number(c[2]), top1: Number.parseFloat(c[4] as string) }));
    expect(rows.length).toBeGreaterThan(0);
    for (let i = 1; i < rows.length; i++) {
      expect((rows[i] as { mflops: number }).mflops).toBeGreaterThan((rows[i - 1] as { mflops: number }).mflops);
      expect((rows[i] as { top1: number }).top1).toBeGreaterThan((rows[i - 1] as { top1: number }).top1);
    }
    expect(table.stdout).toMatch(/plot: .*table\.svg/);
    const svg = await readFile(join(run, 'table.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);

    // A budget of exactly the second frontier row's MACs picks that row (the budget is inclusive).
    const saved = JSON.parse(await readFile(join(run, 'table.json'), 'utf8')) as { rows: { key: string; macs: number; top1: number }[] };
    const sorted = [...saved.rows].sort((a, b) => a.macs - b.macs || b.top1 - a.top1);
    const frontier = sorted.filter((r, i) => sorted.slice(0, i).every((c) => c.top1 < r.top1));
    const target = frontier[Math.min(1, frontier.length - 1)] as { key: string; macs: number };
    const q = await cli('query', '--run', run, '--max-mflops', String(target.macs / 1e6), '--json');
    expect(q.code, q.stderr).toBe(0);
    expect((JSON.parse(q.stdout) as { key: string }).key).toBe(target.key);
    const infeasible = await cli('query', '--run', run, '--max-mflops', '0.01');
    expect(infeasible.code).toBe(2);
    expect(infeasible.stderr).toMatch(
      /^adaptnet-classify: error: --max-mflops 0\.01 is below the cheapest configuration in the table: .*; allowed: --max-mflops >= [0-9.]+$/m,
    );
    expect(infeasible.stderr).not.toMatch(/\n\s+at /); // no stack trace without --verbose

    // predict: a real test image written as PNG; the command must name a class from the data set.
    const test = await loadFashionMnist({ split: 'test' });
    const png = join(root, 'item.png');
    await sharp(Buffer.from(test.pixels.subarray(0, 784)), { raw: { width: 28, height: 28, channels: 1 } })
      .png()
      .toFile(png);
    const p = await cli('predict', png, '--run', run, '--top', '3');
    expect(p.code, p.stderr).toBe(0);
    const lines = p.stdout.split('\n');
    expect(lines).toHaveLength(4);
    const probs = lines.slice(1).map((l) => Number.parseFloat(l));
    expect(probs[0]).toBeGreaterThanOrEqual(probs[1] as number);
    expect(lines.slice(1).every((l) => test.classNames.some((c) => l.endsWith(c)))).toBe(true);

    // The same table with latency measured: the old one (other settings) is moved aside, not refused.
    const noLatency = await cli('query', '--run', run, '--max-ms', '1000');
    expect(noLatency.code).toBe(2);
    const withLatency = await cli('table', '--run', run, '--width-step', '0.25', ...quickEval, '--latency-runs', '2');
    expect(withLatency.code, withLatency.stderr).toBe(0);
    const moved = /was measured with other settings \(latency: .*\); moved it to (\S+) and starting over/.exec(withLatency.stderr)?.[1];
    expect(moved, withLatency.stderr).toBeDefined();
    expect(JSON.parse(await readFile(moved as string, 'utf8')).rows).toEqual(saved.rows);
    const fast = await cli('query', '--run', run, '--max-ms', '1000', '--json');
    expect(fast.code, fast.stderr).toBe(0);
  }, 240_000);

  it('flops reproduces the reference network figure', async () => {
    const f = await cli('flops');
    expect(f.code).toBe(0);
    expect(f.stdout).toBe('mobilenet-v1-fashion width 1 resolution 28: 14.346 MFLOPs (multiply-adds), 273674 parameters');
    const small = await cli('flops', '--width', '0.25', '--resolution', '16');
    expect(small.stdout).toMatch(/0\.34\d MFLOPs/);
  });

  it('bad input: one clear line and exit code 2', async () => {
    const unknown = await cli('train', '--out', join(root, 'x'), '--strategy', 'slimmable');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/argument 'slimmable' is invalid. Allowed choices are individual, usnet, mutualnet, rsnet, resizable/);
    const width = await cli('train', '--out', join(root, 'y'), '--strategy', 'individual', '--width', '0.1', ...tiny);
    expect(width.code).toBe(2);
    expect(width.stderr).toMatch(/^adaptnet-classify: error: width 0.1 is outside the trained width range \[0.25, 1\]$/m);
    const noRun = await cli('eval', '--run', join(root, 'nothing'));
    expect(noRun.code).toBe(2);
    expect(noRun.stderr).toMatch(/no training run in .*nothing .*adaptnet-classify train --out/);
    const badNumber = await cli('train', '--out', join(root, 'z'), '--epochs', 'many');
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toMatch(/--epochs must be a number > 0, got 'many'/);
    const badData = await cli('train', '--out', join(root, 'w'), '--dataset', 'imagenet21k');
    expect(badData.stderr).toMatch(/unknown dataset "imagenet21k"; allowed: fashion-mnist, mnist, cifar10, folder:<path>/);
  });

  it('a query table edited by hand into an invalid file is a named error', async () => {
    const run = join(root, 'mutualnet');
    const path = join(run, 'table.json');
    const json = JSON.parse(await readFile(path, 'utf8')) as { rows: { macs: unknown }[] };
    (json.rows[0] as { macs: unknown }).macs = 'lots';
    const bad = join(root, 'bad-table.json');
    await writeFile(bad, JSON.stringify(json));
    const q = await cli('query', '--run', run, '--table', bad, '--max-mflops', '100');
    expect(q.code).toBe(2);
    expect(q.stderr).toMatch(/bad-table\.json/);
    expect(q.stderr).toMatch(/macs/);
  });

  it('compare trains each strategy once, then reuses the runs', async () => {
    const dir = join(root, 'compare');
    const args = ['compare', '--out', dir, '--configs', '1:28,0.5:20', '--train-subset', '128', '--batch-size', '64', '--png'];
    const quick = ['--epochs', '1', '--calibration-samples', '64', '--max-batches', '1', '--progress', 'none'];
    const first = await cli(...args, ...quick);
    expect(first.code, first.stderr).toBe(0);
    const lines = first.stdout.split('\n');
    expect(lines[0]).toBe('| width, res (MACs) | individual | usnet | mutualnet |');
    expect(lines[2]).toMatch(/^\| 1, 28 \(14\.346M\) \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \|$/);
    expect(lines[3]).toMatch(/^\| 0\.5, 20 \(1\.989M\) \|/);
    // compare.json holds the printed numbers, one row per strategy and configuration, and the plot is beside it.
    const saved = JSON.parse(await readFile(join(dir, 'compare.json'), 'utf8')) as { rows: { strategy: string; top1: number }[] };
    expect(saved.rows.map((r) => r.strategy)).toEqual(['individual', 'individual', 'usnet', 'usnet', 'mutualnet', 'mutualnet']);
    const printed = [2, 3].flatMap((i) =>
      (lines[i] as string)
        .split('|')
        .slice(2, 5)
        .map((c) => c.trim()),
    );
    const fromFile = [0, 1].flatMap((c) => [0, 2, 4].map((s) => ((saved.rows[s + c]?.top1 ?? Number.NaN) * 100).toFixed(2)));
    expect(fromFile).toEqual(printed);
    expect(lines.at(-1)).toBe(`plot: ${join(dir, 'compare.svg')} (and ${join(dir, 'compare.png')})`);
    expect(existsSync(join(dir, 'compare.svg')) && existsSync(join(dir, 'compare.png'))).toBe(true);
    const again = await cli(...args, ...quick);
    expect(again.code).toBe(0);
    expect(again.stderr.match(/using the trained weights/g)).toHaveLength(4); // 2 individual + usnet + mutualnet
    expect(again.stderr).not.toMatch(/\[train\]/);
    expect(again.stdout).toBe(first.stdout); // same weights, same calibration images: same numbers
    // US-Net trains at the largest resolution only: eval refuses another without --allow-untrained.
    const usnet20 = await cli('eval', '--run', join(dir, 'usnet'), '--resolution', '20');
    expect(usnet20.code).toBe(2);
    expect(usnet20.stderr).toMatch(/--resolution 20: resolution 20 was not trained \(trained: 28\); pass --allow-untrained/);
    // Another recipe is not answered from these runs: one line naming the field, exit 2.
    const other = await cli(...args, ...quick.map((a) => (a === '1' ? '2' : a)));
    expect(other.code).toBe(2);
    expect(other.stderr.trim().split('\n').at(-1)).toMatch(
      /compare[/\\]individual-w1-r28 was trained with another recipe: recipe field train\.epochs differs: run has 1, given 2; a finished run is reused only with the same recipe/,
    );
  }, 240_000);

  it('--help lists every subcommand', async () => {
    const h = await cli('--help');
    expect(h.code).toBe(0);
    // No command at all is a usage error: the help goes to stderr and the exit code is 2.
    const none = await cli();
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^Usage: adaptnet-classify /);
    for (const c of ['train', 'eval', 'table', 'query', 'predict', 'flops', 'compare'])
      expect(h.stdout).toMatch(new RegExp(`\\n\\s+${c}\\b`));
  });
});
