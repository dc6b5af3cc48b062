// `reprise trace`'s outputs: a Chrome trace-event file (the JSON Object Format that Perfetto
// and chrome://tracing open) and the timeline the HTML page draws.
import type { CallEvent } from '../calls/types.js';

/** One event of the Chrome trace-event format (the fields we write). `ts`/`dur` in microseconds. */
export type ChromeTraceEvent =
  | { ph: 'X'; name: string; cat: string; ts: number; dur: number; pid: number; tid: number; cname?: string; args: Record<string, string | number | boolean> }
  | { ph: 'i'; name: string; cat: string; ts: number; s: 't' | 'p' | 'g'; pid: number; tid: number; args: Record<string, string | number | boolean> }
  | { ph: 'M'; name: 'process_name' | 'thread_name' | 'thread_sort_index'; pid: number; tid: number; args: { name?: string; sort_index?: number } };

/** `DIR/trace.json`. */
export interface ChromeTrace {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: 'ms';
  otherData: { command: string; started: string; ended: string; exitCode: number; reprise: string };
}

/** A call placed on the timeline. */
export interface LaidCall {
  call: CallEvent;
  /** 1-based lane: the calls of one lane never overlap; shim hits (no duration known) are lane 0. */
  lane: number;
  /** On the chain of calls each of which started once the one before ended (critical-path.ts). */
  critical: boolean;
}

export interface Timeline {
  command: string;
  /** ms since the epoch: when the command started and ended. */
  started: number;
  ended: number;
  exitCode: number;
  calls: LaidCall[];
  /** Lane n at n - 1: this machine's job lanes first, then each executor's. */
  lanes: Lane[];
}

/** A lane: the `index`th of this machine's jobs, or of an executor's (its URL). */
export interface Lane {
  executor?: string;
  index: number;
}

