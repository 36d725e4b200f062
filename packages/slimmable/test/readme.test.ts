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
    await writeFile(file, `${code}\nexport const result = { shapes, channels, macs, rounding };\n`);
    const { result } = (await import(file)) as { result: { shapes: number[][]; channels: number[]; macs: number; rounding: number[] } };
    expect(result.shapes).toEqual([
      [2, 10],
      [2, 10],
      [2, 10],
    ]);
    expect(result.channels).toEqual([8, 16, 32]);
    expect(result.macs).toBe(16 * 16 * 9 * 3 * 16);
    expect(result.rounding).toEqual([9, 1, 16]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
