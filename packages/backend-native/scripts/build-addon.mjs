// Builds the oneDNN addon at install time. It is optional: without a compiler or oneDNN
// (Debian: apt-get install libdnnl-dev) the install still succeeds and AdaptNet uses wasm.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// ADAPTNET_ONEDNN_INCLUDE overrides where oneDNN's headers are looked for (tests use it to
// simulate a machine without oneDNN).
const includeDirs = process.env.ADAPTNET_ONEDNN_INCLUDE ? [process.env.ADAPTNET_ONEDNN_INCLUDE] : ['/usr/include', '/usr/local/include'];
const header = includeDirs.map((d) => join(d, 'oneapi', 'dnnl', 'dnnl.hpp')).find((p) => existsSync(p));
if (!header && !process.env.ADAPTNET_FORCE_NATIVE_BUILD) {
  console.warn(
    '@adaptnet/backend-native: oneDNN headers not found (apt-get install libdnnl-dev); skipping the native build, wasm will be used.',
  );
  process.exit(0);
}
const r = spawnSync('node-gyp', ['rebuild', '--jobs', 'max'], { stdio: 'inherit', shell: process.platform === 'win32' });
if (r.status !== 0) {
  console.warn('@adaptnet/backend-native: native build failed (see above); wasm will be used instead.');
  if (process.env.ADAPTNET_REQUIRE_NATIVE) process.exit(1);
}
