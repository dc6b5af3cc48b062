import type { CallSink } from '../call-sink.js';
import type { RunOutcome } from '../store-compile.js';
import { writeOutput } from '../write-output.js';

const CHUNK = 1 << 20;

/** One output of a run the caller did not see, with where it goes. */
export interface DeliveredOutput {
  path: string;
  data: Buffer;
  executable?: boolean;
}

/** A sandboxed compile's outputs, written where the caller asked, then its messages (in frame-sized pieces) and its exit. */
export function deliverRun(outputs: readonly DeliveredOutput[], r: RunOutcome, umask: number, sink: CallSink): void {
  for (const o of outputs) writeOutput(o.path, o.data, umask, !o.path.startsWith('/dev/'), o.executable);
  for (let i = 0; i < r.stdout.length; i += CHUNK) sink.stdout(r.stdout.subarray(i, i + CHUNK));
  for (let i = 0; i < r.stderr.length; i += CHUNK) sink.stderr(r.stderr.subarray(i, i + CHUNK));
  sink.exit(r.code, r.signal);
}
