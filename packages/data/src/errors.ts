import { AdaptNetError } from '@adaptnet/core';

/** Why a data set could not be used. */
export type DatasetErrorReason = 'missing' | 'corrupt' | 'unreadable' | 'empty' | 'too-large' | 'too-short';

/**
 * A data set that is absent, truncated, malformed or undecodable. The message names the file or
 * folder and, for a missing data set, the command that installs it. Its code is `E_DATASET`: the
 * run was pointed at data it cannot use.
 */
export class DatasetError extends AdaptNetError {
  readonly reason: DatasetErrorReason;
  readonly path: string;

  constructor(reason: DatasetErrorReason, path: string, message: string, options?: { cause?: unknown }) {
    super('E_DATASET', message, options);
    this.reason = reason;
    this.path = path;
  }
}
