// One gRPC channel to a REAPI server, with typed calls (src/reapi/types.ts's call tables). Every
// call carries the same metadata, waits for one of `maxInFlight` slots, and is cancelled when its
// signal aborts. Failures are ReapiCallError with the gRPC status; the store and the executor map
// them to their own errors.
import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { decodeReapiMessage, reapiMethod } from './load-reapi-protos.js';
import type { Outgoing, ReapiClientStreamCalls, ReapiServerStreamCalls, ReapiUnaryCalls, RpcStatus } from './types.js';

export interface ReapiClientOptions {
  /** host:port, as gRPC names a target. */
  target: string;
  credentials: grpc.ChannelCredentials;
  /** Sent with every call; a function is asked at each call (e.g. for RequestMetadata naming the current action). */
  metadata: grpc.Metadata | (() => grpc.Metadata);
  /** Calls in flight at once; more wait for a slot. */
  maxInFlight: number;
  /** Channel options, and client ones such as interceptors. */
  channelOptions?: grpc.ClientOptions;
}

export interface ReapiClient {
  unary<M extends keyof ReapiUnaryCalls>(method: M, request: Outgoing<ReapiUnaryCalls[M]['request']>, signal: AbortSignal): Promise<ReapiUnaryCalls[M]['response']>;
  /** Resolves when the stream ends with OK; `onMessage` throwing cancels the call and rejects with what it threw. */
  serverStream<M extends keyof ReapiServerStreamCalls>(
    method: M,
    request: Outgoing<ReapiServerStreamCalls[M]['request']>,
    signal: AbortSignal,
    onMessage: (message: ReapiServerStreamCalls[M]['response']) => void,
  ): Promise<void>;
  /** Sends the requests as they are drawn from `requests` (backpressure respected). */
  clientStream<M extends keyof ReapiClientStreamCalls>(
    method: M,
    requests: Iterable<Outgoing<ReapiClientStreamCalls[M]['request']>>,
    signal: AbortSignal,
  ): Promise<ReapiClientStreamCalls[M]['response']>;
  /** Closes the channel: calls in flight fail, later calls fail at once. */
  close(): void;
}

/** A call that failed: its gRPC status, or `aborted` when the caller's signal ended it. */
export class ReapiCallError extends Error {
  override readonly name = 'ReapiCallError';
  constructor(
    readonly method: string,
    readonly code: grpc.status,
    readonly details: string,
    readonly aborted = false,
    /** The rich status a server sent in the `grpc-status-details-bin` trailer (e.g. with RetryInfo). */
    readonly status?: RpcStatus,
  ) {
    super(`${method}: ${aborted ? 'aborted' : (grpc.status[code] ?? `status ${code}`)}${details ? `: ${details}` : ''}`);
  }
}

export function createReapiClient(opts: ReapiClientOptions): ReapiClient {
  const client = new grpc.Client(opts.target, opts.credentials, opts.channelOptions ?? {});
  const slots = createSlots(Math.max(1, opts.maxInFlight));
  let closed = false;

  /** Runs one call in a slot; `start` returns the call (to cancel) and settles through `settle`. */
  async function inSlot<T>(method: string, signal: AbortSignal, start: (settle: (e: unknown, v?: T) => void) => { cancel(): void }): Promise<T> {
    const release = await slots.acquire(signal, method);
    try {
      return await new Promise<T>((resolve, reject) => {
        let done = false;
        let call: { cancel(): void } | undefined;
        const onAbort = (): void => call?.cancel();
        const settle = (e: unknown, v?: T): void => {
          if (done) return;
          done = true;
          signal.removeEventListener('abort', onAbort);
          if (signal.aborted) reject(abortError(method, signal));
          else if (e !== undefined && e !== null) reject(toCallError(method, e));
          else resolve(v as T);
        };
        if (closed) return settle(new ReapiCallError(method, grpc.status.UNAVAILABLE, 'the channel is closed'));
        try {
          call = start(settle);
        } catch (e) {
          return settle(e); // a closed channel throws from createCall
        }
        signal.addEventListener('abort', onAbort, { once: true });
        if (signal.aborted) onAbort();
      });
    } finally {
      release();
    }
  }

  function callMetadata(): grpc.Metadata {
    return typeof opts.metadata === 'function' ? opts.metadata() : opts.metadata.clone();
  }

  return {
    unary(method, request, signal) {
      const def = reapiMethod(method);
      return inSlot(method, signal, (settle) =>
        client.makeUnaryRequest(def.path, def.requestSerialize, (b: Buffer) => def.responseDeserialize(b) as ReapiUnaryCalls[typeof method]['response'], request as object, callMetadata(), {}, (err, res) => settle(err, res)),
      );
    },

    serverStream(method, request, signal, onMessage) {
      const def = reapiMethod(method);
      return inSlot<void>(method, signal, (settle) => {
        const call = client.makeServerStreamRequest(def.path, def.requestSerialize, (b: Buffer) => def.responseDeserialize(b) as ReapiServerStreamCalls[typeof method]['response'], request as object, callMetadata(), {});
        // Success needs both the end of the messages and an OK status, whichever comes last.
        let ended = false;
        let ok = false;
        call.on('data', (m: ReapiServerStreamCalls[typeof method]['response']) => {
          try {
            onMessage(m);
          } catch (e) {
            settle(e);
            call.cancel();
          }
        });
        call.on('error', (e) => settle(e));
        call.on('status', (s: grpc.StatusObject) => {
          ok = s.code === grpc.status.OK;
          if (ok && ended) settle(undefined);
        });
        call.on('end', () => {
          ended = true;
          if (ok) settle(undefined);
        });
        return call;
      });
    },

    clientStream(method, requests, signal) {
      const def = reapiMethod(method);
      return inSlot(method, signal, (settle) => {
        const finished = new AbortController();
        const call = client.makeClientStreamRequest(def.path, def.requestSerialize, (b: Buffer) => def.responseDeserialize(b) as ReapiClientStreamCalls[typeof method]['response'], callMetadata(), {}, (err, res) => {
          finished.abort();
          settle(err, res);
        });
        call.on('error', () => undefined); // the callback has the status; an unheard 'error' event would throw
        void (async () => {
          for (const request of requests) {
            if (finished.signal.aborted) return; // answered early (e.g. the blob was already there) or failed
            if (!call.write(request as object)) await once(call, 'drain', { signal: finished.signal }).catch(() => undefined);
          }
          if (!finished.signal.aborted) call.end();
        })();
        return call;
      });
    },

    close() {
      closed = true;
      client.close();
    },
  };
}

function abortError(method: string, signal: AbortSignal): ReapiCallError {
  const reason: unknown = signal.reason;
  const why = reason instanceof Error ? reason.message : reason === undefined ? '' : String(reason);
  return new ReapiCallError(method, grpc.status.CANCELLED, why, true);
}

function toCallError(method: string, e: unknown): Error {
  if (e instanceof ReapiCallError) return e;
  if (isServiceError(e)) return new ReapiCallError(method, e.code, e.details, false, richStatus(e.metadata));
  if (e instanceof Error) return e; // thrown by onMessage: the caller's own verdict
  return new ReapiCallError(method, grpc.status.UNKNOWN, String(e));
}

/** google.rpc.Status from the `grpc-status-details-bin` trailer, when there is a readable one. */
function richStatus(trailers: grpc.Metadata | undefined): RpcStatus | undefined {
  const raw = trailers?.get('grpc-status-details-bin')[0];
  if (!Buffer.isBuffer(raw)) return undefined;
  try {
    return decodeReapiMessage('google.rpc.Status', raw);
  } catch {
    return undefined;
  }
}

function isServiceError(e: unknown): e is grpc.ServiceError {
  return e instanceof Error && typeof (e as Partial<grpc.ServiceError>).code === 'number' && typeof (e as Partial<grpc.ServiceError>).details === 'string';
}

/** A counting semaphore whose waiters leave the queue when their signal aborts. */
function createSlots(limit: number): { acquire(signal: AbortSignal, method: string): Promise<() => void> } {
  let running = 0;
  const queue: Array<() => void> = [];
  const release = (): void => {
    running--;
    queue.shift()?.();
  };
  const grant = (): (() => void) => {
    running++;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        release();
      }
    };
  };
  return {
    acquire(signal, method) {
      if (signal.aborted) return Promise.reject(abortError(method, signal));
      if (running < limit) return Promise.resolve(grant());
      return new Promise((resolve, reject) => {
        const wake = (): void => {
          signal.removeEventListener('abort', giveUp);
          resolve(grant());
        };
        const giveUp = (): void => {
          const i = queue.indexOf(wake);
          if (i >= 0) queue.splice(i, 1);
          reject(abortError(method, signal));
        };
        signal.addEventListener('abort', giveUp, { once: true });
        queue.push(wake);
      });
    },
  };
}
