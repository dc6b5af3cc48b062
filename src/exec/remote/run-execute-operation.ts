// Execute as a long-running operation: the Operation stream of Execute until an operation is
// done; when the stream drops before that (it ends, or fails with UNAVAILABLE and the like),
// WaitExecution on the operation's name picks it up again. What comes back is the decoded
// ExecuteResponse, or an error: a failed call (ReapiCallError), an operation that ended in
// error (OperationError), or an answer that makes no sense (BadResponseError).
import * as grpc from '@grpc/grpc-js';
import { ReapiCallError, type ReapiClient } from '../../reapi/create-reapi-client.js';
import { decodeReapiMessage } from '../../reapi/load-reapi-protos.js';
import type { ExecuteRequest, ExecuteResponse, Operation, Outgoing, RpcStatus } from '../../reapi/types.js';

/** WaitExecution calls after dropped streams, per Execute. */
export const MAX_STREAM_RESUMES = 5;

/** Stream failures after which the operation may still be running: ask for it again. */
const RESUMABLE: ReadonlySet<number> = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.INTERNAL, grpc.status.UNKNOWN, grpc.status.ABORTED, grpc.status.CANCELLED]);

/** The operation finished with an error instead of an ExecuteResponse. */
export class OperationError extends Error {
  override readonly name = 'OperationError';
  constructor(readonly status: RpcStatus) {
    super(`the operation failed: ${grpc.status[status.code] ?? status.code}: ${status.message}`);
  }
}

export class BadResponseError extends Error {
  override readonly name = 'BadResponseError';
}

export interface OperationProgress {
  /** Each operation message as it arrives (stage changes are in its metadata). */
  onOperation?(op: Operation): void;
  /** A stream dropped and WaitExecution takes over. */
  onResume?(name: string, why: string): void;
}

export async function runExecuteOperation(client: ReapiClient, request: Outgoing<ExecuteRequest>, signal: AbortSignal, progress: OperationProgress = {}): Promise<ExecuteResponse> {
  let name: string | undefined;
  let done: Operation | undefined;
  const onMessage = (op: Operation): void => {
    if (op.name !== '') name = op.name;
    progress.onOperation?.(op);
    if (op.done) done = op;
  };
  for (let resumes = 0; ; resumes++) {
    try {
      if (resumes === 0) await client.serverStream('Execute', request, signal, onMessage);
      else await client.serverStream('WaitExecution', { name: name! }, signal, onMessage);
    } catch (e) {
      // A stream that fails after the last message still delivered it.
      if (done) break;
      if (!(e instanceof ReapiCallError) || e.aborted || name === undefined || !RESUMABLE.has(e.code) || resumes >= MAX_STREAM_RESUMES) throw e;
      progress.onResume?.(name, e.message);
      continue;
    }
    if (done) break;
    if (name === undefined) throw new BadResponseError('Execute ended without naming an operation');
    if (resumes >= MAX_STREAM_RESUMES) throw new BadResponseError(`operation ${name}: the stream ended ${resumes + 1} times before it was done`);
    progress.onResume?.(name, 'the stream ended before the operation was done');
  }
  return executeResponseOf(done);
}

function executeResponseOf(op: Operation): ExecuteResponse {
  if (op.result === 'error' || (op.error && op.error.code !== grpc.status.OK)) throw new OperationError(op.error!);
  const packed = op.response;
  if (!packed || !packed.type_url.endsWith('/build.bazel.remote.execution.v2.ExecuteResponse')) {
    throw new BadResponseError(`operation ${op.name}: done without an ExecuteResponse (${packed?.type_url ?? 'no response'})`);
  }
  try {
    return decodeReapiMessage('build.bazel.remote.execution.v2.ExecuteResponse', packed.value);
  } catch (e) {
    throw new BadResponseError(`operation ${op.name}: undecodable ExecuteResponse: ${(e as Error).message}`);
  }
}
