import { execFileSync } from 'node:child_process';

/** Bytes on disk under `dir` (`du`, as a user measures an install). */
export function installedBytes(dir: string): number {
  return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
}

/** True when npm resolved exactly one copy of `name` in the project at `dir`. */
export function onePackageCopy(dir: string, name: string): boolean {
  const out = execFileSync('npm', ['ls', name, '--all', '--parseable'], { cwd: dir, encoding: 'utf8' });
  const copies = new Set(out.split('\n').filter((line) => line.endsWith(`node_modules/${name}`)));
  return copies.size === 1;
}

const IMPORT = /^import\s+(?:(\*\s+as\s+\w+)|\{([^}]*)\}|(\w+))?\s*(?:from\s+)?["']([^"']+)["'];?$/;

/**
 * The same example as a CommonJS script: imports become `require`, `export` is dropped, and the
 * body runs inside an async function (CommonJS has no top-level await). Input is esbuild's output,
 * which prints one import per line.
 */
export function commonJsExample(esm: string): string {
  const head: string[] = [];
  const body: string[] = [];
  // esbuild gathers `export const x = …` into one `export { x };` clause: CommonJS has no use for it.
  const withoutExports = esm.replace(/^export\s*\{[^}]*\};?$/gm, '');
  for (const line of withoutExports.split('\n')) {
    const m = IMPORT.exec(line.trim());
    if (!m) {
      body.push(line.replace(/^export\s+(?=const|let|function|class)/, ''));
      continue;
    }
    const [, star, named, def, from] = m;
    const req = `require(${JSON.stringify(from)})`;
    if (star) head.push(`const ${star.replace(/^\*\s+as\s+/, '')} = ${req};`);
    else if (named) head.push(`const { ${named.replace(/\s+as\s+/g, ': ')} } = ${req};`);
    else if (def) head.push(`const ${def} = ${req}.default ?? ${req};`);
    else head.push(`${req};`);
  }
  return `'use strict';\n${head.join('\n')}\n(async () => {\n${body.join('\n')}\n})().catch((e) => {\n  console.error(e);\n  process.exit(1);\n});\n`;
}
