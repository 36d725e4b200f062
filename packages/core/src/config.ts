import { ConfigError, ConfigRangeError } from './errors.js';

/** An operating point of an adaptive network. */
export interface SubnetConfig {
  /** Width multiplier, e.g. 0.25..1.0. */
  readonly width: number;
  /** Input side in pixels. */
  readonly resolution: number;
  /** Clip length for video models. */
  readonly frames?: number;
  /** Per-stage feature-map resize factors (resizable networks). */
  readonly scales?: readonly number[];
}

/**
 * What a batch makes a subnet's input at: its spatial side and, for clips, its number of frames
 * (every training and evaluation batch has `inputs(size)`).
 */
export interface InputSize {
  readonly resolution: number;
  readonly frames?: number;
}

/** Passed explicitly down the call tree: there is no global "current width". */
export interface ForwardContext {
  readonly config: SubnetConfig;
  readonly training: boolean;
}

export interface Range {
  readonly min: number;
  readonly max: number;
}

/** What a model was built/trained for; configurations outside it are rejected with a named error. */
export interface ConfigSpace {
  readonly width: Range;
  /** Either the explicit list of resolutions or a continuous range. */
  readonly resolutions: readonly number[] | Range;
  readonly frames?: readonly number[] | Range;
  readonly scales?: { readonly stages: number; readonly choices: readonly number[] };
}

function isRange(v: readonly number[] | Range): v is Range {
  return !Array.isArray(v);
}

function describe(allowed: readonly number[] | Range): string {
  return isRange(allowed) ? `[${allowed.min}, ${allowed.max}]` : `one of {${allowed.join(', ')}}`;
}

function checkIn(name: string, value: number, allowed: readonly number[] | Range): void {
  const ok = isRange(allowed) ? value >= allowed.min && value <= allowed.max : allowed.includes(value);
  if (!ok) throw new ConfigRangeError(`${name} ${value} is outside the allowed range: ${describe(allowed)}`);
}

/** Throws ConfigError when the space itself is malformed. */
export function validateSpace(space: ConfigSpace): ConfigSpace {
  const checkRange = (name: string, r: Range, positive: boolean): void => {
    if (!Number.isFinite(r.min) || !Number.isFinite(r.max)) {
      throw new ConfigError(`${name} range must be finite numbers, got [${r.min}, ${r.max}]`);
    }
    if (r.min > r.max) throw new ConfigError(`${name} range has min ${r.min} > max ${r.max}`);
    if (positive && r.min <= 0) throw new ConfigError(`${name} must be > 0, got min ${r.min}`);
  };
  const checkList = (name: string, v: readonly number[] | Range): void => {
    if (isRange(v)) {
      checkRange(name, v, true);
      return;
    }
    if (v.length === 0) throw new ConfigError(`${name} list is empty`);
    for (const x of v) {
      if (!Number.isInteger(x) || x <= 0) throw new ConfigError(`${name} must be positive integers, got ${x}`);
    }
  };
  checkRange('width', space.width, true);
  checkList('resolutions', space.resolutions);
  if (space.frames) checkList('frames', space.frames);
  if (space.scales) {
    const { stages, choices } = space.scales;
    if (!Number.isInteger(stages) || stages <= 0) throw new ConfigError(`scales.stages must be a positive integer, got ${stages}`);
    if (choices.length === 0) throw new ConfigError('scales.choices is empty');
  }
  return space;
}

/**
 * Validates a configuration against a space. Errors name the offending value and the allowed
 * range, e.g. `width 1.2 is outside the allowed range: [0.25, 1]`.
 */
/**
 * Whether `width` lies in `range`, a width within float rounding of a bound counting as the bound
 * (0.1 * 3 !== 0.3). Every width-range check in AdaptNet goes through here.
 */
export function widthInRange(width: number, range: Range): boolean {
  const eps = 1e-9;
  return Number.isFinite(width) && width >= range.min - eps && width <= range.max + eps;
}

export function validateConfig(config: SubnetConfig, space: ConfigSpace): SubnetConfig {
  if (!Number.isFinite(config.width)) throw new ConfigRangeError(`width must be a finite number, got ${config.width}`);
  if (!Number.isFinite(config.resolution)) {
    throw new ConfigRangeError(`resolution must be a finite number, got ${config.resolution}`);
  }
  if (!widthInRange(config.width, space.width)) {
    throw new ConfigRangeError(`width ${config.width} is outside the allowed range: ${describe(space.width)}`);
  }
  checkIn('resolution', config.resolution, space.resolutions);
  if (config.frames !== undefined) {
    if (!space.frames) throw new ConfigRangeError(`frames ${config.frames} given, but this model has no temporal axis`);
    checkIn('frames', config.frames, space.frames);
  }
  if (config.scales !== undefined) {
    if (!space.scales) throw new ConfigRangeError('scales given, but this model is not resizable');
    const { stages, choices } = space.scales;
    if (config.scales.length !== stages) {
      throw new ConfigRangeError(`scales has ${config.scales.length} entries, the model has ${stages} resizable stages`);
    }
    config.scales.forEach((s, i) => checkIn(`scales[${i}]`, s, choices));
  }
  return config;
}

export function makeContext(config: SubnetConfig, training: boolean, space?: ConfigSpace): ForwardContext {
  return { config: space ? validateConfig(config, space) : config, training };
}

/** A stable string key for a configuration (BN-set keys, table rows, logs). */
export function configKey(config: SubnetConfig): string {
  let key = `w${config.width.toFixed(3)}-r${config.resolution}`;
  if (config.frames !== undefined) key += `-f${config.frames}`;
  if (config.scales !== undefined) key += `-s${config.scales.join('_')}`;
  return key;
}
