import { ConfigError, ConfigRangeError, configKey, type SubnetConfig } from '@adaptnet/core';

/**
 * How a SwitchableBatchNorm derives its key from the context:
 * - `'resolution'`: private affine + statistics per input resolution (RS-Nets §3.1);
 * - `'width'`: per width (S-Net);
 * - `'spatial'`: per spatial configuration, resolution and per-stage scales (resizable nets);
 * - `{ scaleOfStage: i }`: per scale factor of stage i (resizable nets' scale-aware BN, §3.2);
 * - `'config'`: shared affine, private statistics per full configuration, filled by calibration
 *   (US-Net / MutualNet post-statistics).
 */
export type BnKeyPolicy = 'resolution' | 'width' | 'spatial' | 'config' | { readonly scaleOfStage: number };

export function describePolicy(policy: BnKeyPolicy): string {
  return typeof policy === 'string' ? policy : `scaleOfStage ${policy.scaleOfStage}`;
}

/** Whether each key owns its γ/β (all policies but `'config'`). */
export function hasPrivateAffine(policy: BnKeyPolicy): boolean {
  return policy !== 'config';
}

export function checkPolicy(policy: BnKeyPolicy): BnKeyPolicy {
  if (typeof policy === 'string') {
    if (!['resolution', 'width', 'spatial', 'config'].includes(policy)) {
      throw new ConfigError(`unknown BN key policy '${policy}'; allowed: resolution, width, spatial, config, { scaleOfStage }`);
    }
    return policy;
  }
  if (!Number.isInteger(policy.scaleOfStage) || policy.scaleOfStage < 0) {
    throw new ConfigError(`scaleOfStage must be an integer >= 0, got ${policy.scaleOfStage}`);
  }
  return policy;
}

/** The key a policy gives a configuration, e.g. `r224`, `w0.500`, `r224-s1_0.5`, `s0.5`, `w0.500-r224`. */
export function bnKey(policy: BnKeyPolicy, config: SubnetConfig): string {
  if (policy === 'resolution') return `r${config.resolution}`;
  if (policy === 'width') return `w${config.width.toFixed(3)}`;
  if (policy === 'config') return configKey(config);
  if (policy === 'spatial') {
    let key = `r${config.resolution}`;
    if (config.frames !== undefined) key += `-f${config.frames}`;
    if (config.scales !== undefined) key += `-s${config.scales.join('_')}`;
    return key;
  }
  const scale = config.scales?.[policy.scaleOfStage];
  if (scale === undefined) {
    const got = config.scales ? `${config.scales.length} stage scales` : 'no scales';
    throw new ConfigRangeError(
      `BN policy scaleOfStage ${policy.scaleOfStage} needs config.scales[${policy.scaleOfStage}], but the configuration has ${got}`,
    );
  }
  return `s${scale}`;
}
