// Packs every publishable package (pnpm pack), installs the tarballs into fresh projects outside the
// workspace with plain npm, and runs each package's README example there from ESM and CommonJS.
// Needs the npm registry (as the bootstrap does); takes a few minutes, most of it npm.
import { type ExecFileSyncOptions, execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commonJsExample, installedBytes, onePackageCopy } from './helpers/install.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TFJS = '4.22.0';
const MB = 1024 * 1024;

interface Publishable {
  readonly name: string;
  readonly dir: string;
}

async function publishable(): Promise<Publishable[]> {
  const out: Publishable[] = [];
  for (const group of ['packages', 'apps']) {
    for (const entry of await readdir(join(root, group))) {
      const dir = join(root, group, entry);
      const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name: string; private?: boolean };
      if (!pkg.private) out.push({ name: pkg.name, dir });
    }
  }
  return out;
}

const run = (cmd: string, args: string[], options: ExecFileSyncOptions = {}) =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000, ...options }) as string;

const npmInstall = (cwd: string, specs: string[], env: NodeJS.ProcessEnv = {}) =>
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], { cwd, env: { ...process.env, ...env } });

let work: string;
const tarballs = new Map<string, string>();
let packages: Publishable[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'adaptnet-pack-'));
  packages = await publishable();
  for (const p of packages) {
    const file = run('pnpm', ['pack', '--pack-destination', work], { cwd: p.dir }).trim().split('\n').at(-1)!;
    tarballs.set(p.name, file.startsWith('/') ? file : join(work, file));
  }
}, 300_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function freshProject(name: string): Promise<string> {
  const dir = join(work, name);
  run('mkdir', ['-p', dir]);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  return dir;
}

describe('packages install on their own', () => {
  it('backbones + flops add at most 20 MB beyond tfjs-core, with one tfjs-core', async () => {
    const dir = await freshProject('size');
    npmInstall(dir, [`@tensorflow/tfjs-core@${TFJS}`]);
    const tfjsCore = installedBytes(join(dir, 'node_modules'));
    // backbones + flops and the workspace packages they depend on.
    const ours = [
      '@adaptnet/kernel-names',
      '@adaptnet/core',
      '@adaptnet/slimmable',
      '@adaptnet/norm',
      '@adaptnet/backbones',
      '@adaptnet/flops',
    ];
    npmInstall(
      dir,
      ours.map((n) => tarballs.get(n)!),
    );
    const total = installedBytes(join(dir, 'node_modules'));
    const beyond = total - tfjsCore;
    console.log(
      `[pack-install] tfjs-core alone ${(tfjsCore / MB).toFixed(1)} MB; + backbones + flops ${(total / MB).toFixed(1)} MB (${(beyond / MB).toFixed(1)} MB beyond tfjs-core)`,
    );
    expect(beyond).toBeLessThanOrEqual(20 * MB);
    expect(onePackageCopy(dir, '@tensorflow/tfjs-core')).toBe(true);
  }, 600_000);

  describe('every README example, from ESM and CommonJS', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await freshProject('all');
      // Backends and gradients are the user's choice; oneDNN hidden: the optional addon must not break the install.
      const peers = ['tfjs-core', 'tfjs', 'tfjs-backend-cpu', 'tfjs-backend-wasm'].map((n) => `@tensorflow/${n}@${TFJS}`);
      npmInstall(dir, [...peers, ...tarballs.values()], { ADAPTNET_ONEDNN_INCLUDE: '/nonexistent' });
    }, 600_000);

    it('installs one tfjs-core', () => {
      expect(onePackageCopy(dir, '@tensorflow/tfjs-core')).toBe(true);
    });

    for (const format of ['esm', 'cjs'] as const) {
      it(`runs the examples as ${format}`, async () => {
        const failures: string[] = [];
        for (const p of packages) {
          const readme = await readFile(join(p.dir, 'README.md'), 'utf8');
          const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
          if (code === undefined) continue;
          const js = (await transform(code, { loader: 'ts', format: 'esm', target: 'es2022' })).code;
          const file = join(dir, `${p.name.replace('@adaptnet/', '')}-example.${format === 'esm' ? 'mjs' : 'cjs'}`);
          await writeFile(file, format === 'esm' ? js : commonJsExample(js));
          try {
            run(process.execPath, [file], { cwd: dir, timeout: 300_000 });
          } catch (e) {
            const err = e as { stderr?: string; message: string };
            const lines = (err.stderr || err.message).trim().split('\n');
            failures.push(`${p.name}: ${lines.find((l) => /Error\b/.test(l)) ?? lines.at(-1)}`);
          }
        }
        expect(failures).toEqual([]);
      }, 900_000);
    }
  });
});
