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
    await writeFile(file, `${code}\nexport const result = { weights, loss };\n`);
    const { result } = (await import(file)) as { result: { weights: number[]; loss: number } };
    expect(result.weights).toHaveLength(3);
    expect(result.weights.every((v) => v >= 0)).toBe(true);
    expect(result.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(result.weights.some((v) => Math.abs(v - 1 / 3) > 1e-4)).toBe(true); // α moved
    expect(Number.isFinite(result.loss) && result.loss > 0).toBe(true);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
