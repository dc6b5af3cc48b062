import { status, type handleServerStreamingCall, type ServerWritableStream } from '@grpc/grpc-js';
import { decodeReapiMessage } from '../../load-reapi-protos.js';
import type { ExecuteRequest, WaitExecutionRequest } from '../../types.js';
import { fromWireDigest } from '../../wire-digest.js';
import { completeActionResult } from '../action-cache-service.js';
import { denied, digestFunctionProblem, failure, storeFailure } from '../grpc-status.js';
import type { ServeStore, TokenTable } from '../types.js';
import type { OperationMessage, OperationQueue, Watcher } from './create-operation-queue.js';

export interface ExecutionService {
  Execute: handleServerStreamingCall<ExecuteRequest, OperationMessage>;
  WaitExecution: handleServerStreamingCall<WaitExecutionRequest, OperationMessage>;
}

/**
 * REAPI Execution over the operation queue. Execute looks the action up in the action cache
 * first (unless skip_cache_lookup; a hit is one done operation with cached_result), else queues
 * it and streams its stages (QUEUED, EXECUTING) and the done operation. WaitExecution follows
 * an operation by name. Running actions writes to the action cache, so it needs a read-write
 * token when tokens are configured. A stream the client cancels stops watching; an action
 * nobody watches any more leaves the queue if it has not started.
 */
export function executionService(store: ServeStore, tokens: TokenTable, queue: OperationQueue): ExecutionService {
  return {
    async Execute(call) {
      const no = denied(tokens, call.metadata, 'read-write') ?? digestFunctionProblem(call.request.digestFunction);
      if (no) return void call.emit('error', no);
      const digest = fromWireDigest(call.request.actionDigest);
      if (!digest) return void call.emit('error', failure(status.INVALID_ARGUMENT, 'action_digest is not a SHA-256 digest'));
      if (!call.request.skipCacheLookup) {
        try {
          const found = await completeActionResult(store, digest.hash);
          const action = 'missing' in found ? undefined : await store.readBlob(digest.hash);
          // An action that says do_not_cache is never answered from the cache.
          if (!('missing' in found) && action && !decodeReapiMessage('build.bazel.remote.execution.v2.Action', action).doNotCache) {
            if (call.cancelled) return;
            call.write(queue.finished(digest, { result: found.result, cachedResult: true }));
            return void call.end();
          }
        } catch (e) {
          return void call.emit('error', storeFailure(e));
        }
      }
      if (call.cancelled) return;
      const watcher = streamWatcher(call);
      // skip_cache_lookup asks for a run of its own; otherwise an identical action in flight is shared.
      const op = queue.submit(digest, watcher, !call.request.skipCacheLookup);
      if (!op) {
        const { queued, running } = queue.counts();
        return void call.emit('error', failure(status.RESOURCE_EXHAUSTED, `the execution queue is full (${queued} waiting, ${running} running)`));
      }
      call.once('cancelled', () => queue.unwatch(op.name, watcher));
    },

    WaitExecution(call) {
      const no = denied(tokens, call.metadata, 'read');
      if (no) return void call.emit('error', no);
      const watcher = streamWatcher(call);
      if (!queue.watch(call.request.name, watcher)) return void call.emit('error', failure(status.NOT_FOUND, `no operation ${call.request.name}`));
      call.once('cancelled', () => queue.unwatch(call.request.name, watcher));
    },
  };
}

/** Writes each operation message; the done one ends the stream. */
function streamWatcher(call: ServerWritableStream<unknown, OperationMessage>): Watcher {
  return {
    send(op) {
      if (call.cancelled || call.writableEnded) return;
      call.write(op);
      if (op.done) call.end();
    },
  };
}

