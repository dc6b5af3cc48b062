import { frameBytes } from '../protocol/codec.js';
import { SpawnerKind } from '../protocol/frames.js';
import { PayloadReader } from '../protocol/payload-reader.js';
import { PayloadWriter } from '../protocol/payload-writer.js';
import { ProtocolError } from '../protocol/protocol-error.js';

/** A request to start one tool (docs/protocol.md, "The daemon ⇄ spawner protocol"). */
export interface SpawnRequest {
  jobId: number;
  toolPath: string;
  cwd: string;
  umask: number;
  /** argv[0] included. */
  argv: string[];
  env: string[];
  /** A sandboxed job's view, as (op, a, b) triples (docs/protocol.md); empty outside the sandbox. */
  view: string[];
}

export type SpawnerEvent =
  | { kind: 'started'; jobId: number; pgid: number }
  | { kind: 'stdout' | 'stderr'; jobId: number; data: Buffer }
  | { kind: 'exit'; jobId: number; code: number; signal: number }
  | { kind: 'failed'; jobId: number; errno: number; message: string };

export function encodeSpawn(r: SpawnRequest): Buffer {
  const w = new PayloadWriter().u32(r.jobId).string(r.toolPath).string(r.cwd).u32(r.umask).strings(r.argv).strings(r.env).strings(r.view);
  return frameBytes(SpawnerKind.SPAWN, w.build());
}

export function encodeKill(jobId: number, signal: number): Buffer {
  return frameBytes(SpawnerKind.KILL, new PayloadWriter().u32(jobId).u32(signal).build());
}

export function decodeSpawnerEvent(kind: number, payload: Buffer): SpawnerEvent {
  const r = new PayloadReader(payload);
  const jobId = r.u32('job id');
  let ev: SpawnerEvent;
  switch (kind) {
    case SpawnerKind.JOB_STARTED:
      ev = { kind: 'started', jobId, pgid: r.u32('pgid') };
      break;
    case SpawnerKind.JOB_STDOUT:
      return { kind: 'stdout', jobId, data: payload.subarray(4) };
    case SpawnerKind.JOB_STDERR:
      return { kind: 'stderr', jobId, data: payload.subarray(4) };
    case SpawnerKind.JOB_EXIT:
      ev = { kind: 'exit', jobId, code: r.i32('code'), signal: r.u32('signal') };
      break;
    case SpawnerKind.JOB_FAILED:
      ev = { kind: 'failed', jobId, errno: r.u32('errno'), message: r.string('message') };
      break;
    default:
      throw new ProtocolError(`unknown spawner frame kind ${kind}`);
  }
  r.end();
  return ev;
}
