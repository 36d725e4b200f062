import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const script = fileURLToPath(new URL('../scripts/build-addon.mjs', import.meta.url));

it('the install step succeeds without oneDNN, saying why it skipped the native build', () => {
  const r = spawnSync(process.execPath, [script], {
    env: { ...process.env, ADAPTNET_ONEDNN_INCLUDE: '/nonexistent/include', ADAPTNET_FORCE_NATIVE_BUILD: '' },
    encoding: 'utf8',
  });
  expect(r.status).toBe(0);
  expect(r.stderr).toMatch(/oneDNN headers not found \(apt-get install libdnnl-dev\); skipping the native build, wasm will be used/);
});
