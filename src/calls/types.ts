// One compiler call as the daemon saw it: what the dashboard's latest misses and
// `reprise trace` show. Sent as JSON (admin `calls`, the dashboard's event stream); fields
// are only ever added.

/**
 * hit: replayed by the daemon; shim-hit: replayed by the shim from a hit ticket (its start
 * is not known: the daemon learns of it when it takes the shims' log); miss: compiled and
 * stored; uncacheable: not stored, for `reason` (declined before running, or run and not
 * stored); passed-through: declined, the shim ran the tool (`reason`: a pass-through reason);
 * other: none of these was counted (cache disabled, a lost executor).
 */
export type CallOutcome = 'hit' | 'shim-hit' | 'miss' | 'uncacheable' | 'passed-through' | 'other';

export interface CallEvent {
  /** Increases by one per call the daemon finished; restarts at 1 with the daemon. */
  seq: number;
  /** The shim's name (gcc, g++, rustc, go, ...). */
  tool: string;
  /** When the call reached the daemon and when it was answered (ms since the epoch); equal for a shim hit. */
  start: number;
  end: number;
  outcome: CallOutcome;
  /** An uncacheable or pass-through reason (docs/stats.md). */
  reason?: string;
  /** The output file, absolute, when the call names one. */
  output?: string;
  cwd: string;
  /** For a hit: the recorded compile time of the result it replayed. */
  savedMs?: number;
  /** The tool ran and exited non-zero or died of a signal. */
  failed?: boolean;
  /** The remote executor (its configured URL) that compiled a miss the caller was answered from. */
  executor?: string;
}

/** Admin `calls`: the events after `since`, and the sequence number to ask from next time. */
export interface CallsReply {
  /** Identifies the daemon: when it changes, sequence numbers started again. */
  daemon: { pid: number; startedAt: string };
  seq: number;
  events: CallEvent[];
  /** Events older than the feed keeps were asked for and are lost (a very long build not polled). */
  lost: number;
}
