export { runReadmeExample } from './readme.js';
export { type ChildRun, differences, dirBytes, fillDisk, leftovers, mulberry32, runChild, snapshotRun } from './run-faults.js';
export { expectClose, expectNoLeak, fixture, type Nested, pick, range, testBackends, useBackend } from './tensors.js';
