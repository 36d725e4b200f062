import { createRequire } from 'node:module';
import { installAdaptNetGradients } from './gradients.js';

/**
 * tfjs-core's own gradient registrations ship only as extensionless ES modules, which Node cannot
 * load; the union package's Node build registers the same configs on the same tfjs-core instance.
 * It is an optional peer: without it, inference works and training fails with a named error.
 */
export function registerNodeGradients(): boolean {
  try {
    createRequire(import.meta.url)('@tensorflow/tfjs');
  } catch (e) {
    // Only the package itself missing means "not installed"; a broken install must not pass silently.
    if ((e as { code?: string }).code === 'MODULE_NOT_FOUND' && (e as Error).message.includes("'@tensorflow/tfjs'")) return false;
    throw e;
  }
  installAdaptNetGradients();
  return true;
}
