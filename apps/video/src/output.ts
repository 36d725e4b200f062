import type { CliOutput } from '@adaptnet/train/node';

/** Where commands write: `result` to stdout (what scripts parse), `info` to stderr (progress, notes). */
export type Output = CliOutput;
export { processOutput } from '@adaptnet/train/node';
