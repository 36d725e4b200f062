import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CocoDataset, evaluateCoco, parseResults } from '../src/index.js';
import { main } from '../src/node.js';
import { randomCase } from './helpers/random-cases.js';

let dir: string;
const { gt, results } = randomCase(8, { images: 15 });

async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { result: (t) => out.push(t), info: (t) => err.push(t) });
  return { code, out, err };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coco-cli-'));
  await writeFile(join(dir, 'gt.json'), JSON.stringify(gt));
  await writeFile(join(dir, 'results.json'), JSON.stringify(results));
  await writeFile(join(dir, 'broken.json'), '[{"image_id": 1,');
  await writeFile(join(dir, 'negative.json'), JSON.stringify([{ ...results[0], bbox: [0, 0, -3, 4] }]));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('adaptnet-coco eval', () => {
  const gtData = CocoDataset.fromJson(gt);
  const expected = evaluateCoco(gtData, parseResults(results, gtData));

  it('prints the pycocotools table', async () => {
    const r = await run(['eval', join(dir, 'gt.json'), join(dir, 'results.json')]);
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toBe(expected.summarize());
    expect(r.out.join('\n').split('\n')[0]).toMatch(
      /^ Average Precision {2}\(AP\) @\[ IoU=0\.50:0\.95 \| area= {3}all \| maxDets=100 \] = \d\.\d{3}$/,
    );
  });

  it('--json prints one object whose stats are the 12 numbers', async () => {
    const r = await run(['eval', join(dir, 'gt.json'), join(dir, 'results.json'), '--json']);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    const parsed = JSON.parse(r.out[0] as string) as { stats: number[]; names: string[] };
    expect(parsed.stats).toEqual(expected.stats);
    expect(parsed.names[0]).toBe('AP');
  });

  it('malformed or missing files: exit code 2 and one line naming the problem', async () => {
    for (const [file, pattern] of [
      ['broken.json', /broken\.json is not valid JSON/],
      ['negative.json', /negative\.json: \[0\]\.bbox\[2\] must be a finite number >= 0 \(got -3\)/],
      ['missing.json', /missing\.json does not exist/],
      ['', /is not a regular file/],
    ] as const) {
      const r = await run(['eval', join(dir, 'gt.json'), join(dir, file)]);
      expect(r.code).toBe(2);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(pattern);
    }
    const capped = await run(['eval', join(dir, 'gt.json'), join(dir, 'results.json'), '--max-bytes', '10']);
    expect(capped.code).toBe(2);
    expect(capped.err[0]).toMatch(/more than the limit of 10 bytes/);
  });

  it('bad arguments exit 2', async () => {
    expect((await run(['eval', join(dir, 'gt.json')])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
    expect((await run([])).code).toBe(2);
    expect((await run(['--help'])).code).toBe(0);
    expect((await run(['make-data', '--out', join(dir, 'x'), '--train', '-1'])).code).toBe(2);
    const empty = await run(['make-data', '--out', join(dir, 'x'), '--train', '0', '--val', '0']);
    expect(empty.code).toBe(2);
    expect(empty.err).toEqual([expect.stringMatching(/--train and --val are both 0/)]);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('the installed bin runs and exits 2 on a malformed file', async () => {
    const bin = fileURLToPath(new URL('../bin/adaptnet-coco.js', import.meta.url));
    const failure = await promisify(execFile)(process.execPath, [bin, 'eval', join(dir, 'gt.json'), join(dir, 'broken.json')]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((failure as { code: number }).code).toBe(2);
    expect((failure as { stderr: string }).stderr.trim().split('\n')).toHaveLength(1);
  });
});
