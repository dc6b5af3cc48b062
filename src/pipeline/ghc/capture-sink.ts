import type { CallSink } from '../call-sink.js';

/** What a module job of a split --make gave: exit, messages. `lost` when it never ran to an end (the executor died, or it could not start). */
export interface Captured {
  code: number;
  signal: number;
  stdout: Buffer;
  stderr: Buffer;
  lost: boolean;
}

/** A CallSink that keeps a module job's answer for the --make call to report in order (that the daemon ran ghc reaches the call's own sink). */
export function captureSink(signal: AbortSignal, outer?: Pick<CallSink, 'ranHidden'>): CallSink & { done: Promise<Captured> } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let settle!: (c: Captured) => void;
  const done = new Promise<Captured>((r) => (settle = r));
  const end = (code: number, sig: number, lost: boolean): void => settle({ code, signal: sig, stdout: Buffer.concat(out), stderr: Buffer.concat(err), lost });
  return {
    signal,
    done,
    started: () => undefined,
    ranHidden: () => outer?.ranHidden(),
    stdout: (d) => out.push(d),
    stderr: (d) => err.push(d),
    exit: (code, sig) => end(code, sig, false),
    abandon: () => end(-1, 0, true),
    decline: () => end(-1, 0, true),
  };
}
