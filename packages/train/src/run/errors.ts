import { AdaptNetError, CheckpointError } from '@adaptnet/core';

/** Why a run folder refused an operation: each reason has one message and exit code 2 in the CLIs. */
export type RunFolderReason = 'not-a-folder' | 'not-empty' | 'locked' | 'recipe-differs' | 'not-a-run' | 'bad-input';

/** A run folder cannot be used as asked (occupied, locked, another recipe, not a run, bad input file). */
export class RunFolderError extends AdaptNetError {
  readonly reason: RunFolderReason;

  constructor(reason: RunFolderReason, message: string) {
    super('E_CONFIG', message);
    this.reason = reason;
  }
}

/**
 * An artefact of a run (weights, table) does not match what the run recorded for it: it was
 * replaced, edited, corrupted, or built from other weights. Names the stale file and the command
 * that rebuilds it.
 */
export class StaleArtefactError extends CheckpointError {
  readonly file: string;
  readonly rebuild: string;

  constructor(file: string, message: string, rebuild: string) {
    super('E_CHECKPOINT_MISMATCH', `${message}; rebuild it with: ${rebuild}`);
    this.file = file;
    this.rebuild = rebuild;
  }
}
