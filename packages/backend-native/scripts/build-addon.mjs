// Builds the oneDNN addon at install time. It is optional: without a compiler or oneDNN
// (Debian: apt-get install libdnnl-dev) the install still succeeds and AdaptNet uses wasm.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const header = ['/usr/include/oneapi/dnnl/dnnl.hpp', '/usr/local/include/oneapi/dnnl/dnnl.hpp'].find((p) => existsSync(p));
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
