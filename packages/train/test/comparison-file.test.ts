import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SubnetConfig } from '@adaptnet/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMPARE_FILE, COMPARE_PLOT, writeComparison } from '../src/node.js';

interface Row {
  strategy: string;
  config: SubnetConfig;
  macs: number;
  top1: number;
}

const STRATEGIES = ['individual', 'usnet', 'mutualnet'];
const CONFIGS: SubnetConfig[] = [
  { width: 1, resolution: 28 },
  { width: 0.5, resolution: 20 },
];
const rowsOf = (strategies: string[], configs: SubnetConfig[]): Row[] =>
  strategies.flatMap((strategy, s) =>
    configs.map((config, c) => ({ strategy, config, macs: 14e6 / (c + 1), top1: 0.8 + 0.01 * s - 0.1 * c })),
  );

describe('writeComparison', () => {
  let dir: string;
  let logged: string[];
  let results: string[];
  const write = (rows: Row[], configs = CONFIGS, png = false) =>
    writeComparison(dir, configs, rows, {
      value: (r) => r.top1,
      yTitle: 'top-1 (%)',
      xTitle: 'MFLOPs',
      title: 'a comparison',
      strategies: STRATEGIES,
      png,
      extra: { secondsPerEpoch: { mutualnet: 1.5 } },
      out: { info: (line) => logged.push(line), result: (line) => results.push(line) },
    });
  const files = async () => (await readdir(dir)).sort();

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'compare-'));
    logged = [];
    results = [];
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the rows, the extra fields and a plot with one line per strategy', async () => {
    const rows = rowsOf(STRATEGIES, CONFIGS);
    const written = await write(rows, CONFIGS, true);
    expect(written).toEqual({
      path: join(dir, COMPARE_FILE),
      svgPath: join(dir, COMPARE_PLOT),
      pngPath: join(dir, 'compare.png'),
      movedAside: [],
    });
    expect(JSON.parse(await readFile(written.path, 'utf8'))).toEqual({ secondsPerEpoch: { mutualnet: 1.5 }, configs: CONFIGS, rows });
    const svg = await readFile(written.svgPath, 'utf8');
    for (const s of STRATEGIES) expect(svg).toContain(`>${s}<`);
    // The last strategy's points carry their configuration: one label per configuration, not per row.
    expect(svg.match(/>0\.5×, 20</g)).toHaveLength(1);
    expect(svg.match(/>1×, 28</g)).toHaveLength(1);
    expect(svg).toContain('top-1 (%)');
    expect((await readFile(written.pngPath as string)).subarray(1, 4).toString()).toBe('PNG');
    expect(logged).toEqual([]);
    expect(results).toEqual([`plot: ${written.svgPath} (and ${written.pngPath})`]);
  });

  it('a subset run keeps the earlier, wider comparison: moved aside with its plots, nothing deleted', async () => {
    await write(rowsOf(STRATEGIES, CONFIGS), CONFIGS, true);
    const earlier = await readFile(join(dir, COMPARE_FILE), 'utf8');
    const subset = rowsOf(['mutualnet'], CONFIGS);
    const written = await write(subset);
    expect(written.movedAside.map((p) => p.slice(dir.length + 1))).toEqual([
      expect.stringMatching(/^compare\.json\.stale-\d{8}T\d{6}Z$/),
      expect.stringMatching(/^compare\.svg\.stale-\d{8}T\d{6}Z$/),
      expect.stringMatching(/^compare\.png\.stale-\d{8}T\d{6}Z$/),
    ]);
    expect(await readFile(written.movedAside[0] as string, 'utf8')).toBe(earlier);
    expect(logged).toEqual([
      `[compare] the earlier ${join(dir, COMPARE_FILE)}: it holds 4 rows this run does not measure (individual at 1:28, individual at 0.5:20, usnet at 1:28, …); moved it to ${written.movedAside.join(', ')}`,
    ]);
    expect((JSON.parse(await readFile(written.path, 'utf8')) as { rows: Row[] }).rows).toEqual(subset);
    expect(existsSync(join(dir, 'compare.png'))).toBe(false);
  });

  it('the same cells measured again replace the file; frames count in a cell; an unreadable file is kept', async () => {
    const video: SubnetConfig[] = [{ width: 1, resolution: 16, frames: 4 }];
    await write(rowsOf(['mutualnet'], video), video);
    await write(
      rowsOf(['mutualnet'], video).map((r) => ({ ...r, top1: 0.5 })),
      video,
    );
    expect(logged).toEqual([]);
    expect(await files()).toEqual([COMPARE_FILE, COMPARE_PLOT]);
    const fewerFrames: SubnetConfig[] = [{ width: 1, resolution: 16, frames: 2 }];
    await write(rowsOf(['mutualnet'], fewerFrames), fewerFrames);
    expect(logged.at(-1)).toMatch(/it holds 1 row this run does not measure \(mutualnet at 1:16:4\)/);
    await writeFile(join(dir, COMPARE_FILE), '{"rows": ');
    await write(rowsOf(['mutualnet'], fewerFrames), fewerFrames);
    expect(logged.at(-1)).toMatch(/: it cannot be read \(.*JSON.*\); moved it to .*compare\.json\.stale-/);
    expect((await files()).filter((f) => f.startsWith('compare.json.stale-'))).toHaveLength(2);
  });
});
