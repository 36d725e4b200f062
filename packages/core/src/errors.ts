/**
 * Every error AdaptNet throws on purpose carries a stable `code`, so callers (and the CLIs) can
 * branch on it without parsing messages.
 */
export type AdaptNetErrorCode =
  | 'E_CONFIG'
  | 'E_CONFIG_RANGE'
  | 'E_BACKEND'
  | 'E_KERNEL'
  | 'E_SHAPE'
  | 'E_CHECKPOINT_MISSING'
  | 'E_CHECKPOINT_FORMAT'
  | 'E_CHECKPOINT_ARCH'
  | 'E_CHECKPOINT_CORRUPT'
  | 'E_CHECKPOINT_MISMATCH'
  | 'E_DATASET'
  | 'E_TRAINING_DIVERGED';

export class AdaptNetError extends Error {
  readonly code: AdaptNetErrorCode;

  constructor(code: AdaptNetErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A configuration value outside what the model was built or trained for. */
export class ConfigRangeError extends AdaptNetError {
  constructor(message: string) {
    super('E_CONFIG_RANGE', message);
  }
}

/** A malformed configuration (wrong type, empty list, min > max, ...). */
export class ConfigError extends AdaptNetError {
  constructor(message: string) {
    super('E_CONFIG', message);
  }
}

export class BackendError extends AdaptNetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_BACKEND', message, options);
  }
}

export class ShapeError extends AdaptNetError {
  constructor(message: string) {
    super('E_SHAPE', message);
  }
}

export class CheckpointError extends AdaptNetError {}
