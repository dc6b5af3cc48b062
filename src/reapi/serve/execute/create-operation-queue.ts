import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { Digest } from '../../../hashing/types.js';
import { encodeReapiMessage } from '../../load-reapi-protos.js';
import { EXECUTION_STAGE, type ExecuteResponse, type Operation, type Outgoing } from '../../types.js';
import { toWireDigest } from '../../wire-digest.js';
import type { ActionRun } from './run-action.js';

/** What an operation's watchers (Execute and WaitExecution streams) are sent. */
export type OperationMessage = Outgoing<Operation>;

export interface Watcher {
  send(op: OperationMessage): void;
}

export interface OperationQueue {
  /**
   * Queues an action (undefined: the queue is full). The watcher gets QUEUED now, EXECUTING
   * when it starts, and the done operation. With `merge`, an operation of the same action
   * already queued or running is watched instead of running the action again.
   */
  submit(actionDigest: Digest, watcher: Watcher, merge: boolean): { name: string } | undefined;
  /** A done operation for an answer that needs no run (a cache hit). */
  finished(actionDigest: Digest, response: Outgoing<ExecuteResponse>): OperationMessage;
  /** Adds a watcher to an operation by name (false: no such operation). It gets the current state at once. */
  watch(name: string, watcher: Watcher): boolean;
  /** The watcher went away; an operation not yet started that nobody watches leaves the queue. */
  unwatch(name: string, watcher: Watcher): void;
  counts(): { queued: number; running: number };
  /** Fails queued operations (UNAVAILABLE), kills running ones and waits for them to end. */
  close(): Promise<void>;
}

interface Op {
  name: string;
  digest: Digest;
  stage: number;
  queuedAt: Date;
  watchers: Set<Watcher>;
  done?: OperationMessage;
  /** Queued and watched by nobody: it will not start, and leaves the queue when this fires. */
  abandoned?: NodeJS.Timeout;
}

/** How long a done operation can still be asked for by WaitExecution. */
const KEEP_DONE_MS = 10 * 60_000;
/** How long a queued operation nobody watches waits for a WaitExecution (a client whose stream dropped) before it leaves the queue. */
export const ABANDON_GRACE_MS = 2000;

/**
 * The Execution service's operations: a FIFO queue of at most `maxQueue` actions in front of
 * `jobs` slots. Operation names are `operations/<uuid>`. A run that throws (a store failure)
 * ends its operation with an INTERNAL error. A queued operation whose watchers all went away
 * is held back (never started) for ABANDON_GRACE_MS, so a client whose stream dropped can pick
 * it up with WaitExecution, and then leaves the queue. Identical actions in flight at once
 * (two machines building the same commit) run once unless a client skips the cache.
 */
export function createOperationQueue(o: { jobs: number; maxQueue: number; run: (r: ActionRun) => Promise<Outgoing<ExecuteResponse>>; log?: (line: string) => void }): OperationQueue {
  const ops = new Map<string, Op>();
  /** Operations not yet done, by action digest (for merging identical Executes). */
  const live = new Map<string, Op>();
  const queue: Op[] = [];
  const running = new Set<Promise<void>>();
  const shutdown = new AbortController();
  let closed = false;

  const message = (op: Op): OperationMessage => op.done ?? {
    name: op.name,
    metadata: metadataOf(op.digest, op.stage),
    done: false,
  };
  const broadcast = (op: Op): void => {
    const m = message(op);
    for (const w of op.watchers) w.send(m);
  };
  /** `keep`: what a later WaitExecution gets (without inlined output files: done operations are kept for minutes). */
  const finish = (op: Op, done: OperationMessage, keep: OperationMessage = done): void => {
    if (live.get(op.digest.hash) === op) live.delete(op.digest.hash);
    op.done = done;
    op.stage = EXECUTION_STAGE.COMPLETED;
    broadcast(op);
    op.done = keep;
    op.watchers.clear();
    setTimeout(() => ops.delete(op.name), KEEP_DONE_MS).unref();
  };
  const pump = (): void => {
    while (!closed && running.size < o.jobs) {
      const at = queue.findIndex((q) => q.abandoned === undefined);
      if (at < 0) break;
      const op = queue.splice(at, 1)[0]!;
      const p = (async () => {
        try {
          const response = await o.run({
            actionDigest: op.digest,
            queuedAt: op.queuedAt,
            signal: shutdown.signal,
            onExecuting: () => {
              op.stage = EXECUTION_STAGE.EXECUTING;
              broadcast(op);
            },
          });
          const lean = response.result?.outputFiles?.some((f) => (f.contents?.length ?? 0) > 0)
            ? { ...response, result: { ...response.result, outputFiles: response.result.outputFiles!.map((f) => ({ ...f, contents: Buffer.alloc(0) })) } }
            : response;
          finish(op, doneMessage(op.name, op.digest, response), lean === response ? undefined : doneMessage(op.name, op.digest, lean));
        } catch (e) {
          o.log?.(`execute: ${op.digest.hash}: ${(e as Error).message}`);
          finish(op, { name: op.name, metadata: metadataOf(op.digest, EXECUTION_STAGE.COMPLETED), done: true, error: { code: status.INTERNAL, message: (e as Error).message } });
        }
      })();
      running.add(p);
      void p.finally(() => {
        running.delete(p);
        pump();
      });
    }
  };

  return {
    submit(digest, watcher, merge) {
      if (closed) return undefined;
      const same = merge ? live.get(digest.hash) : undefined;
      if (same && same.abandoned === undefined) {
        same.watchers.add(watcher);
        watcher.send(message(same));
        return { name: same.name };
      }
      if (queue.length >= o.maxQueue) return undefined;
      const op: Op = { name: `operations/${randomUUID()}`, digest, stage: EXECUTION_STAGE.QUEUED, queuedAt: new Date(), watchers: new Set([watcher]) };
      ops.set(op.name, op);
      live.set(digest.hash, op);
      queue.push(op);
      watcher.send(message(op));
      pump();
      return { name: op.name };
    },
    finished(digest, response) {
      return doneMessage(`operations/${randomUUID()}`, digest, response);
    },
    watch(name, watcher) {
      const op = ops.get(name);
      if (!op) return false;
      if (!op.done) op.watchers.add(watcher);
      watcher.send(message(op));
      if (op.abandoned) {
        clearTimeout(op.abandoned);
        delete op.abandoned;
        pump();
      }
      return true;
    },
    unwatch(name, watcher) {
      const op = ops.get(name);
      if (!op || op.done) return;
      op.watchers.delete(watcher);
      if (op.watchers.size > 0 || !queue.includes(op) || op.abandoned) return;
      op.abandoned = setTimeout(() => {
        const at = queue.indexOf(op);
        if (at >= 0) queue.splice(at, 1);
        ops.delete(name);
        if (live.get(op.digest.hash) === op) live.delete(op.digest.hash);
        o.log?.(`execute: ${op.digest.hash}: nobody waits for it any more, dropped from the queue`);
      }, ABANDON_GRACE_MS);
      op.abandoned.unref();
    },
    counts: () => ({ queued: queue.length, running: running.size }),
    async close() {
      closed = true;
      for (const op of queue.splice(0)) {
        clearTimeout(op.abandoned);
        finish(op, { name: op.name, metadata: metadataOf(op.digest, EXECUTION_STAGE.COMPLETED), done: true, error: { code: status.UNAVAILABLE, message: 'the server is shutting down' } });
      }
      shutdown.abort();
      await Promise.all([...running]);
    },
  };
}

function metadataOf(digest: Digest, stage: number): OperationMessage['metadata'] {
  return {
    type_url: 'type.googleapis.com/build.bazel.remote.execution.v2.ExecuteOperationMetadata',
    value: encodeReapiMessage('build.bazel.remote.execution.v2.ExecuteOperationMetadata', { stage, actionDigest: toWireDigest(digest) }),
  };
}

function doneMessage(name: string, digest: Digest, response: Outgoing<ExecuteResponse>): OperationMessage {
  return {
    name,
    metadata: metadataOf(digest, EXECUTION_STAGE.COMPLETED),
    done: true,
    response: { type_url: 'type.googleapis.com/build.bazel.remote.execution.v2.ExecuteResponse', value: encodeReapiMessage('build.bazel.remote.execution.v2.ExecuteResponse', response) },
  };
}
