import type { SubnetConfig } from '@adaptnet/core';

/**
 * What every sampler does: hand out the subnets of one training iteration, in the order to run
 * them, and expose its full state so that a resumed run draws exactly the sequence it would have.
 */
export interface SubnetSampler<State, Config extends SubnetConfig = SubnetConfig> {
  next(): Config[];
  /** A JSON-serialisable snapshot; `setState(state())` later resumes the exact sequence. */
  state(): State;
  setState(state: State): void;
}
