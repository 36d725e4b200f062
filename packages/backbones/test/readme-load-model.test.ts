import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it("the README's loadModel example runs against the built package", async () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const readme = await readFile(join(here, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Saved models'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1] as string;
  const dir = await mkdtemp(join(here, '.readme-'));
  try {
    const file = join(dir, 'example.ts');
    await writeFile(file, `${code}\nexport const __result = { same, calibrated };\n`);
    const r = ((await import(file)) as { __result: { same: number; calibrated: string[] } }).__result;
    expect(r.same).toBe(1);
    expect(r.calibrated).toEqual(['w0.500-r12']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
