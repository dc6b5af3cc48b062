import type { CallSink } from '../call-sink.js';

/** What a module job of a split --make gave: exit, messages. `lost` when it never ran to an end (the executor died, or it could not start). */
export interface Captured {
  code: number;
  signal: number;
  stdout: Buffer;
  stderr: Buffer;
  lost: boolean;
}

/**
 * A CallSink that keeps a module job's answer for the --make call to report in order (that the
 * daemon ran ghc reaches the call's own sink). A run outside the sandbox writes `writes` (the
 * module's outputs, absolute) in place: the call's sink is told while it runs (`running`), so
 * that a shim left without its daemon deletes them rather than take a half-written module for
 * current.
 */
export function captureSink(signal: AbortSignal, outer?: Pick<CallSink, 'ranHidden' | 'running'>, writes: readonly string[] = []): CallSink & { done: Promise<Captured> } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let settle!: (c: Captured) => void;
  const done = new Promise<Captured>((r) => (settle = r));
  let runningPgid: number | undefined;
  const end = (code: number, sig: number, lost: boolean): void => {
    if (runningPgid !== undefined) outer?.running?.(runningPgid, []);
    runningPgid = undefined;
    settle({ code, signal: sig, stdout: Buffer.concat(out), stderr: Buffer.concat(err), lost });
  };
  return {
    signal,
    done,
    started: (pgid) => {
      if (writes.length === 0 || !outer?.running) return;
      runningPgid = pgid;
      outer.running(pgid, writes);
    },
    ranHidden: () => outer?.ranHidden(),
    stdout: (d) => out.push(d),
    stderr: (d) => err.push(d),
    exit: (code, sig) => end(code, sig, false),
    abandon: () => end(-1, 0, true),
    decline: () => end(-1, 0, true),
  };
}
