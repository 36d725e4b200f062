export { runReadmeExample } from './readme.js';
export { expectClose, expectNoLeak, fixture, type Nested, pick, range, testBackends, useBackend } from './tensors.js';
