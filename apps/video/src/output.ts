export { type Output, processOutput } from '@adaptnet/train/node';
