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
    await writeFile(file, `${code}\nexport const result = { iteration, spatial, clips };\n`);
    const { result } = (await import(file)) as {
      result: {
        iteration: { width: number; resolution: number }[];
        spatial: { scales: number[] }[];
        clips: { fast: unknown }[];
      };
    };
    expect(result.iteration).toHaveLength(4);
    expect(result.iteration[0]).toEqual({ width: 1, resolution: 224 });
    expect(result.iteration[1]!.width).toBe(0.25);
    for (let stage = 0; stage < 4; stage++) {
      expect(result.spatial.map((c) => c.scales[stage]).sort()).toEqual([0.5, 0.75, 1]);
    }
    for (const c of result.clips) expect(c.fast).toEqual({ width: 1, resolution: 224, frames: 32 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
