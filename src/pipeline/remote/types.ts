// Remote execution as the pipeline sees it (docs/remote-execution.md): the configured
// executors, each a REAPI Execution client, and the policy. Languages bring their own
// Executor over a target's client (the gcc one: src/exec/remote/create-remote-executor.ts).
import type { ExecutePolicy, ExecutorSpec } from '../../config/executor-spec.js';
import type { RemoteExecutionClient } from '../../exec/remote/create-remote-execution-client.js';
import type { Executor } from '../../exec/remote/types.js';
import type { ExecutorObserver } from '../../exec/remote/create-remote-executor.js';
import type { DigestMemo } from '../../exec/remote/mirror-host-files.js';
import type { InputGuesses } from './input-guesses.js';

/** One configured executor. */
export interface RemoteTarget {
  /** Its URL: how stats and logs name it. */
  readonly name: string;
  readonly spec: ExecutorSpec;
  /** Actions of this daemon in flight on it now. */
  inFlight: number;
  /** performance.now() until which it is skipped, after it was unreachable or timed out (a breaker). */
  downUntil: number;
  /** Skipped while a probe asks whether it is back (after its cool-down, before any action is sent again). */
  probing: boolean;
  /** Whether it gave a lookup trace when asked (`reprise serve --execute` does); undefined until an action tells. */
  traces?: boolean;
  /** Whether it answers within `timeoutMs` (GetCapabilities). */
  probe(timeoutMs: number): Promise<boolean>;
  /**
   * The executor of one language over this target's client, made once (`kind` names it, e.g.
   * `gcc`). `make` gets the observer that counts into the daemon's stats.
   */
  executor<A>(kind: string, make: (name: string, client: RemoteExecutionClient, observer: ExecutorObserver) => Executor<A>): Executor<A>;
}

export interface RemoteExecution {
  readonly policy: ExecutePolicy;
  readonly targets: readonly RemoteTarget[];
  /** The targets in the order this action tries them (turns rotate, so actions spread over executors). */
  order(): RemoteTarget[];
  /**
   * Calls decided remote whose action is not sent yet (their pre-pass runs): counted against the
   * executors' room (mayFeed), so calls that arrive together do not all see the same free place.
   */
  headed: number;
  /** Host files' digests, shared by every executor of every target: a toolchain is hashed once per daemon. */
  readonly digests: DigestMemo;
  /** What C and C++ misses are sent with to a tracing executor instead of a pre-pass's list (input-guesses.ts). */
  readonly guesses: InputGuesses;
  /**
   * Actions of calls that lent their local slot, waiting in an executor's queue now, oldest
   * first: a slot that frees with nobody waiting for it takes the newest back (stealQueued).
   */
  readonly queued: Set<{ steal(): void }>;
  /** Whether a result stored from this executor may be served here (its URL is still configured). */
  knows(executor: string): boolean;
  close(): Promise<void>;
}
