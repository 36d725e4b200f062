import { defineConfig } from 'tsup';

/** Every package builds the same way: src/index.ts → ESM + CJS + .d.ts. */
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // import.meta.url in CJS output (backend-native locates its addon with it).
  shims: true,
});
