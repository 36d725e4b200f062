import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs a ```ts block of a package's README (the first, or the `block`-th counting from 0, optionally
 * only among those after the text `after`) against
 * the built package and returns the object built from `exportEntries` (variable names the example
 * defines, or `key: expression`). `testFileUrl` is the calling test's `import.meta.url`; the README
 * is the one in the package root above `test/`.
 */
export async function runReadmeExample<T extends Record<string, unknown>>(
  testFileUrl: string,
  exportEntries: readonly string[],
  options: { readonly after?: string; readonly block?: number } = {},
): Promise<T> {
  const testDir = dirname(fileURLToPath(testFileUrl));
  const path = join(testDir, '..', 'README.md');
  const whole = await readFile(path, 'utf8');
  // `after`: count blocks from this text on (e.g. a section heading); `block`: which one, from 0.
  const at = options.after === undefined ? 0 : whole.indexOf(options.after);
  if (at < 0) throw new Error(`'${options.after}' not found in ${path}`);
  const block = options.block ?? 0;
  const code = [...whole.slice(at).matchAll(/```ts\n([\s\S]*?)```/g)][block]?.[1];
  if (code === undefined) throw new Error(`no \`\`\`ts block number ${block} in ${path}`);
  // Inside the package, so the example's `@adaptnet/...` imports resolve as a user's would.
  const dir = await mkdtemp(join(testDir, '.readme-'));
  try {
    const file = join(dir, 'example.ts');
    await writeFile(file, `${code}\nexport const __result = { ${exportEntries.join(', ')} };\n`);
    return ((await import(file)) as { __result: T }).__result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
