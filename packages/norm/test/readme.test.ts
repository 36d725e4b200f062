import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('the README example runs against the built package', async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  const dir = await mkdtemp(join(new URL('.', import.meta.url).pathname, '.readme-'));
  try {
    const file = join(dir, 'example.ts');
    await writeFile(file, `${code}\nexport const result = { between, reports, shipped, shape: out.shape, keys: us.keys() };\n`);
    const { result } = (await import(file)) as {
      result: {
        between: { key: string; t: number };
        reports: { samples: number; batches: number }[];
        shipped: string;
        shape: number[];
        keys: string[];
      };
    };
    expect(result.between).toMatchObject({ key: 'r112', t: 0.5 });
    expect(result.reports).toMatchObject([{ samples: 10, batches: 3 }]);
    expect(JSON.parse(result.shipped).layers.bn.mean).toHaveLength(8);
    expect(result.shape).toEqual([4, 6, 6, 8]);
    expect(result.keys).toEqual(['w1.000-r6']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
