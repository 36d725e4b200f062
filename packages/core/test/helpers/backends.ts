import { initBackend } from '../../src/node.js';

/** cpu and wasm always; native when its addon is built here (CI installs oneDNN, so it is). */
export async function testBackends(): Promise<string[]> {
  const names = ['cpu', 'wasm'];
  try {
    await initBackend({ backend: 'native', log: false });
    names.push('native');
  } catch {
    // not built on this machine
  }
  for (const b of ['cpu', 'wasm']) await initBackend({ backend: b as 'cpu' | 'wasm', log: false });
  return names;
}
