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
    await writeFile(file, `${code}\nexport const result = { keys: [...tensors.keys()], backend: info.name };\n`);
    const mod = (await import(file)) as { result: { keys: string[]; backend: string } };
    expect(mod.result.keys).toEqual(['w']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
