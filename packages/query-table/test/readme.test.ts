import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runReadmeExample } from '@adaptnet/testing';
import { expect, it } from 'vitest';
import type { TableRow } from '../src/index.js';

it('the README example runs against the built package', async () => {
  const r = await runReadmeExample<{
    rows: TableRow[];
    frontier: string[];
    best: TableRow;
    text: string;
    shape: number[];
    svg: string;
    dir: string;
  }>(import.meta.url, [
    'rows: table.rows',
    'frontier: deployed.frontier.map((f) => f.key)',
    'best',
    'text',
    'shape: logits.shape',
    'svg',
    'dir',
  ]);
  expect(r.rows).toHaveLength(9);
  expect(r.best.macs).toBeLessThanOrEqual(25_000);
  expect(r.frontier).toContain(r.best.key);
  const bestWithin = r.rows
    .filter((x) => x.macs <= 25_000)
    .reduce((a, b) => (b.top1 > a.top1 || (b.top1 === a.top1 && b.macs < a.macs) ? b : a));
  expect(r.best.top1).toBe(bestWithin.top1);
  expect(r.shape).toEqual([32, 10]);
  expect(r.text.split('\n')).toHaveLength(2 + r.frontier.length);
  expect(r.svg).toContain('frontier_points_marks');
  expect(existsSync(join(r.dir, 'query-table.json')) && existsSync(join(r.dir, 'plot.svg'))).toBe(true);
  await rm(r.dir, { recursive: true, force: true });
});

it('the README video example runs against the built package', async () => {
  const r = await runReadmeExample<{
    steps: string[];
    text: string;
    best: TableRow;
    rows: TableRow[];
    svg: string;
    apText: string;
    apMetric: { name: string };
    dir: string;
  }>(import.meta.url, ['steps', 'text', 'best', 'rows: table.rows', 'svg', 'apText', 'apMetric: apTable.metric', 'dir'], {
    after: '## Video models',
  });
  expect(r.rows).toHaveLength(8);
  expect(r.rows.every((x) => x.views === 2 && x.samples === 6)).toBe(true);
  expect(r.best.macs).toBeLessThanOrEqual(1_000_000);
  expect(r.best.top1).toBe(Math.max(...r.rows.filter((x) => x.macs <= 1_000_000).map((x) => x.top1)));
  expect(r.steps[0]).toMatch(/: cheapest$/);
  for (const s of r.steps.slice(1)) expect(s).toMatch(/: (width|spatial|temporal|several)$/);
  expect(r.text.split('\n')[0]).toMatch(/frames +MFLOPs × views .* step$/);
  expect(r.svg).toContain('frontier_segments_marks');
  expect(r.apMetric).toEqual({ name: 'box AP' });
  expect(r.apText.split('\n')[0]).toMatch(/ box AP +step$/);
  await rm(r.dir, { recursive: true, force: true });
}, 120_000);
