import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const scenario = join(here, 'scenario.ts');

interface ScenarioResult {
  logits: number[];
  prepared: number[];
  plain: number[];
  shape: number[];
  macs: number;
  gradients: boolean;
  data: { dims: number[]; sample: number };
  iou: number;
  graphNodes: number;
  exports: string[];
}

let dir: string;
let nodeDir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'adaptnet-bundle-'));
  nodeDir = await mkdtemp(join(here, '.bundle-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(nodeDir, { recursive: true, force: true });
});

async function bundle(platform: 'browser' | 'node'): Promise<{ file: string; metafile: Metafile }> {
  // The Node build sits in this package, so its external imports resolve from here.
  const file = platform === 'node' ? join(nodeDir, 'node.mjs') : join(dir, 'browser.mjs');
  const result = await build({
    entryPoints: [scenario],
    bundle: true,
    platform,
    format: 'esm',
    target: 'es2022',
    outfile: file,
    metafile: true,
    logLevel: 'silent',
    // Node: the packages stay external, loaded from their published dist as a Node user's would be.
    // Browser: hide Node's `process`, so tfjs-core takes the path a browser takes when this bundle runs in Node.
    ...(platform === 'node' ? { packages: 'external' as const } : { define: { process: 'undefined' } }),
  });
  return { file, metafile: result.metafile };
}

function run(file: string): ScenarioResult {
  return JSON.parse(execFileSync(process.execPath, [file], { encoding: 'utf8', cwd: here })) as ScenarioResult;
}

/** Runs a browser bundle in Node as a page would see it: `window` and `document` exist, `process` does not. */
async function runAsPage(file: string): Promise<ScenarioResult> {
  const page = join(dir, 'page.mjs');
  await writeFile(
    page,
    `globalThis.window = globalThis;\nglobalThis.document = {};\nawait import(${JSON.stringify(`./${basename(file)}`)});\n`,
  );
  return run(page);
}

/** Package directory of every bundled file under node_modules, e.g. `@tensorflow/tfjs-core`. */
function bundledPackages(metafile: Metafile): Map<string, Set<string>> {
  const packages = new Map<string, Set<string>>();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input);
    if (!m) continue;
    const [, root, name] = m as unknown as [string, string, string];
    packages.set(name, (packages.get(name) ?? new Set()).add(root));
  }
  return packages;
}

describe('portable entry points', () => {
  let browser: { file: string; metafile: Metafile };

  beforeAll(async () => {
    browser = await bundle('browser');
  }, 120_000);

  it('bundle for the browser with no Node built-in', () => {
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const imports = Object.values(browser.metafile.inputs).flatMap((i) => i.imports.map((imp) => imp.path));
    expect(imports.filter((p) => builtins.has(p))).toEqual([]);
    const inputs = Object.keys(browser.metafile.inputs);
    const packages = [
      'core',
      'slimmable',
      'norm',
      'distill',
      'samplers',
      'backbones',
      'flops',
      'query-table',
      'coco',
      'export',
      'data',
      'detection',
    ];
    for (const pkg of packages) {
      expect(inputs.some((p) => p.includes(`${pkg}/dist/`))).toBe(true);
    }
  });

  it('bundle exactly one tfjs-core', () => {
    const roots = bundledPackages(browser.metafile).get('@tensorflow/tfjs-core');
    expect(roots?.size).toBe(1);
  });

  it('run a forward pass in the bundle, identical to the same code on the installed packages', async () => {
    const inBundle = await runAsPage(browser.file);
    const inNode = run((await bundle('node')).file);
    expect(inBundle.shape).toEqual([2, 10]);
    expect(inBundle.logits.every(Number.isFinite)).toBe(true);
    expect(inBundle.logits).toEqual(inNode.logits);
    // The prepared inference path runs in the page and gives the plain forward's logits (folding reassociates float32).
    expect(inBundle.prepared).toEqual(inNode.prepared);
    const scale = Math.max(...inBundle.plain.map(Math.abs));
    expect(scale).toBeGreaterThan(0);
    expect(Math.max(...inBundle.prepared.map((v, i) => Math.abs(v - (inBundle.plain[i] as number))))).toBeLessThan(1e-4 * scale);
    expect(inBundle.macs).toBe(inNode.macs);
    expect(inBundle.macs).toBeGreaterThan(0);
    // '@adaptnet/core/gradients' registered tfjs-core's own gradients in the bundle.
    expect(inBundle.gradients).toBe(true);
    expect(inBundle.exports.every((t) => t === 'function')).toBe(true);
    // @adaptnet/data: the IDX header [2, 1, 2] decoded, one image sampled; @adaptnet/detection: IoU of two 2×2 boxes overlapping by half = 2 / 6.
    expect(inBundle.data).toEqual({ dims: [2, 1, 2], sample: 1 });
    expect(inBundle.iou).toBeCloseTo(1 / 3, 12);
    expect(inBundle.graphNodes).toBe(inNode.graphNodes);
    expect(inBundle.graphNodes).toBeGreaterThan(0);
  }, 120_000);
});
