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
