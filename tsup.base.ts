import { defineConfig, type Options } from 'tsup';

/** Every package builds the same way: src/index.ts (plus any subpath entries) → ESM + CJS + .d.ts. */
export const baseOptions: Options = {
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  // Subpath entries share one copy of each module (error classes, registries) in CJS too.
  splitting: true,
  target: 'es2022',
  // import.meta.url in CJS output (backend-native locates its addon with it).
  shims: true,
};

export default defineConfig(baseOptions);

/** A package with subpath entries, e.g. `withEntries('src/index.ts', 'src/node.ts')` for `./node`. */
export function withEntries(...entry: string[]) {
  return defineConfig({ ...baseOptions, entry });
}
