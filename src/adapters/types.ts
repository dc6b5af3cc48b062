import type { Call } from '../protocol/frames.js';
import type { PassThroughReason } from '../stats/stat-names.js';

/** A call with its environment as a map (first occurrence wins, as getenv does). */
export interface Invocation {
  call: Call;
  env: ReadonlyMap<string, string>;
}

/** The daemon runs the tool: these arguments (after argv[0]) in this environment. */
export interface RunPlan {
  kind: 'run';
  args: string[];
  env: Map<string, string>;
}

export interface DeclinePlan {
  kind: 'decline';
  reason: PassThroughReason;
}

export type CallPlan = RunPlan | DeclinePlan;

/** One compiler family. Pure: planning a call does no I/O. */
export interface CompilerAdapter {
  readonly family: string;
  claims(shimName: string): boolean;
  plan(invocation: Invocation): CallPlan;
}
