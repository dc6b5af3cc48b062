import { AsyncLocalStorage } from 'node:async_hooks';
import { isAbsolute, resolve } from 'node:path';
import type { CallEvent, CallOutcome } from './types.js';

/** What the feed needs of a CALL frame. */
export interface TrackedCall {
  shimName: string;
  cwd: string;
  argv: readonly string[];
}

/** The call being served, as the stats and `why` observers annotate it. */
export interface OpenCall {
  outcome: CallOutcome;
  reason?: string;
  output?: string;
  savedMs?: number;
  failed?: boolean;
  executor?: string;
}

/**
 * The daemon's recent calls, for the dashboard and `reprise trace`. Nothing here is on
 * disk and nothing is computed per call beyond one small object: outcomes come from the
 * counters the call bumps anyway (observe-stats.ts), found through an AsyncLocalStorage.
 */
export interface CallFeed {
  /** Serves one call inside its record; the event is published when `serve` settles. */
  track<T>(call: TrackedCall, serve: () => Promise<T>): Promise<T>;
  /** The call whose request is running now, if any. */
  current(): OpenCall | undefined;
  /** Runs `f` outside any call (work the daemon does for others, such as taking the shims' logs). */
  outside<T>(f: () => T): T;
  /** A hit a shim replayed from a ticket, learnt of now. */
  shimHit(tool: string, savedMs: number, cwd: string, output?: string): void;
  /** The events after `since` (oldest first) and how many of those are no longer kept; none without `since` (the sequence number to start from). */
  since(since: number | undefined): { seq: number; events: CallEvent[]; lost: number };
  /** The latest `n` events that `pick` takes, newest first. */
  latest(n: number, pick: (e: CallEvent) => boolean): CallEvent[];
  subscribe(listener: (e: CallEvent) => void): () => void;
}

/** Enough for a long build between two polls of `reprise trace` (one a second). */
const KEEP = 20_000;

/** Times in ms since the epoch, to the microsecond (a trace of fast hits needs better than Date.now). */
const preciseNow = (): number => performance.timeOrigin + performance.now();

export function createCallFeed(now: () => number = preciseNow): CallFeed {
  const als = new AsyncLocalStorage<OpenCall>();
  const ring: CallEvent[] = [];
  let seq = 0;
  const listeners = new Set<(e: CallEvent) => void>();

  const publish = (e: Omit<CallEvent, 'seq'>): void => {
    const event: CallEvent = { seq: ++seq, ...e };
    ring.push(event);
    if (ring.length > KEEP) ring.splice(0, ring.length - KEEP);
    for (const l of listeners) l(event);
  };

  return {
    async track(call, serve) {
      const open: OpenCall = { outcome: 'other' };
      const start = now();
      try {
        return await als.run(open, serve);
      } finally {
        const output = open.output ?? outputOf(call.argv, call.cwd);
        publish({
          tool: call.shimName,
          start,
          end: now(),
          outcome: open.outcome,
          cwd: call.cwd,
          ...(open.reason === undefined ? {} : { reason: open.reason }),
          ...(output === undefined ? {} : { output }),
          ...(open.savedMs === undefined ? {} : { savedMs: open.savedMs }),
          ...(open.failed ? { failed: true } : {}),
          ...(open.executor === undefined ? {} : { executor: open.executor }),
        });
      }
    },
    current: () => als.getStore(),
    outside: (f) => als.exit(f),
    shimHit(tool, savedMs, cwd, output) {
      const t = now();
      publish({ tool, start: t, end: t, outcome: 'shim-hit', cwd, savedMs, ...(output === undefined ? {} : { output }) });
    },
    since(after) {
      if (after === undefined) return { seq, events: [], lost: 0 };
      after = Math.max(0, after);
      const first = ring[0]?.seq ?? seq + 1;
      const from = Math.max(0, after + 1 - first);
      return { seq, events: ring.slice(from), lost: Math.max(0, first - after - 1) };
    },
    latest(n, pick) {
      const out: CallEvent[] = [];
      for (let i = ring.length - 1; i >= 0 && out.length < n; i--) if (pick(ring[i]!)) out.push(ring[i]!);
      return out;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The file a call writes, from `-o FILE` or `-oFILE` (good enough for a label). */
export function outputOf(argv: readonly string[], cwd: string): string | undefined {
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    const file = a === '-o' ? argv[i + 1] : a.startsWith('-o') && a.length > 2 && !a.startsWith('-o=') ? a.slice(2) : undefined;
    if (file !== undefined && file !== '-') return isAbsolute(file) ? file : resolve(cwd, file);
  }
  return undefined;
}
