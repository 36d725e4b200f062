import { SwitchableBatchNorm } from '@adaptnet/norm';
import type { BuildContext } from './build-options.js';

/** The SwitchableBatchNorm every conv block uses, keyed by the backbone's norm policy ('config' by default). */
export function newBatchNorm(name: string, build: BuildContext, channels: number): SwitchableBatchNorm {
  const { policy, configs, epsilon, momentum } = build.norm;
  return new SwitchableBatchNorm(name, {
    channels,
    policy: policy ?? 'config',
    ...(configs !== undefined ? { configs } : {}),
    ...(epsilon !== undefined ? { epsilon } : {}),
    ...(momentum !== undefined ? { momentum } : {}),
  });
}
