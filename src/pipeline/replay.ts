import type { ActionResult, ContentStore, OutputFile } from '../store/types.js';
import type { CallSink } from './call-sink.js';
import { writeOutput } from './write-output.js';
import { emptyDigest } from '../hashing/create-hasher.js';
import type { DigestAlgorithm } from '../hashing/types.js';

const CHUNK = 1 << 20;
const EMPTY = Buffer.alloc(0);

/**
 * Where output `index` goes for the calling compile, with the bytes to write there (a
 * depfile is rewritten for the caller's directory); undefined when it cannot be placed.
 */
export type PlaceOutput = (output: OutputFile, index: number, data: Buffer) => { path: string; data: Buffer } | undefined;

/** What a replay gave the caller: each output's bytes as placed (a depfile as rendered for it), its messages and exit code. */
export interface Replayed {
  outputs: Buffer[];
  /** Where each output was written. */
  paths: string[];
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}

/**
 * Replays a cached result: fetches and places every blob first (so a missing or corrupt
 * one turns the hit into a miss before anything is written), then writes the outputs (in
 * `order`, their indexes, when given) and sends the compiler's stdout and stderr. The caller
 * sends the exit (verify mode compares first). Undefined when a blob was unavailable or an
 * output could not be placed.
 * `renderMessages` turns stored stdout and stderr into the caller's (rustc's templates).
 */
export async function replay(result: ActionResult, cas: ContentStore, algorithm: DigestAlgorithm, place: PlaceOutput, umask: number, sink: CallSink, renderMessages: (stored: Buffer) => Buffer = (b) => b, order?: readonly number[]): Promise<Replayed | undefined> {
  // Most compiles print nothing: the empty blob needs no read.
  const blobs = new Map<string, Buffer>([[emptyDigest(algorithm), EMPTY]]);
  for (const d of [...result.outputs.map((o) => o.digest), result.stdoutDigest, result.stderrDigest]) {
    if (blobs.has(d)) continue;
    const data = await cas.get(d);
    if (!data) return undefined;
    blobs.set(d, data);
  }
  const placed: Array<{ path: string; data: Buffer; executable: boolean }> = [];
  for (const [i, o] of result.outputs.entries()) {
    const p = place(o, i, blobs.get(o.digest)!);
    if (!p) return undefined;
    placed.push({ ...p, executable: (o.mode & 0o111) !== 0 });
  }
  for (const p of order && order.length === placed.length ? order.map((i) => placed[i]!) : placed) writeOutput(p.path, p.data, umask, !p.path.startsWith('/dev/'), p.executable);
  const out = renderMessages(blobs.get(result.stdoutDigest)!);
  const err = renderMessages(blobs.get(result.stderrDigest)!);
  // Frames have a size limit; a huge diagnostic log goes in pieces.
  for (let i = 0; i < out.length; i += CHUNK) sink.stdout(out.subarray(i, i + CHUNK));
  for (let i = 0; i < err.length; i += CHUNK) sink.stderr(err.subarray(i, i + CHUNK));
  return { outputs: placed.map((p) => p.data), paths: placed.map((p) => p.path), stdout: out, stderr: err, exitCode: result.exitCode };
}
