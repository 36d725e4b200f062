// Importing core registers every tfjs gradient (tfjs-core's Node build registers none).
import { initBackend } from '@adaptnet/core/node';

export async function useCpu(): Promise<void> {
  await initBackend({ backend: 'cpu', log: false });
}
