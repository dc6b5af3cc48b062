// The REAPI Execution client (issue 17): for one action, upload what the server lacks, Execute
// and follow the operation (WaitExecution when the stream drops), retry what the server says
// to retry (UNAVAILABLE, RESOURCE_EXHAUSTED, RetryInfo; a missing input once, after uploading
// again), read the outputs back (ByteStream: Bazel's worker has no BatchReadBlobs) and verify
// them. Every call carries RequestMetadata naming reprise, the invocation and the action. Every
// failure is a rejection with a reason, never a throw: the caller then compiles locally.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import { digestBytes } from '../../hashing/create-hasher.js';
import type { Digest } from '../../hashing/types.js';
import { checkCacheCapabilities, MAX_BATCH_BYTES, type CacheLimits } from '../../reapi/check-cache-capabilities.js';
import { ReapiCallError, createReapiClient } from '../../reapi/create-reapi-client.js';
import { decodeReapiMessage, encodeReapiMessage } from '../../reapi/load-reapi-protos.js';
import { EXECUTION_STAGE, type ExecuteResponse, type Operation, type PbTimestamp, type WireDigest } from '../../reapi/types.js';
import { fromWireDigest, toWireDigest } from '../../reapi/wire-digest.js';
import { packageVersion } from '../../runtime/package-version.js';
import { createGrpcCas } from '../../store/remote/create-grpc-cas.js';
import { StoreError } from '../../store/types.js';
import { BadResponseError, OperationError, runExecuteOperation } from './run-execute-operation.js';
import { retryDelayMs } from './retry-delay.js';
import type { CompletedExecution, ExecuteOutcome, ExecutionTimings, RejectionReason, RemoteAction } from './types.js';
import { BlobChangedError, uploadActionBlobs, type UploadContext } from './upload-action-blobs.js';

export interface RemoteExecutionOptions {
  /** host:port */
  target: string;
  credentials?: grpc.ChannelCredentials;
  instance?: string;
  /** Extra headers for every call (e.g. authorization). */
  headers?: Record<string, string>;
  /** Sent as RequestMetadata.tool_invocation_id: one per daemon run. */
  invocationId?: string;
  /** Calls in flight at once (an Execute stream holds one while its action runs). */
  maxInFlight?: number;
  /** Upload to result, per action, unless the caller's signal ends it first. */
  timeoutMs?: number;
  /** Execute attempts per action (retries after UNAVAILABLE, RESOURCE_EXHAUSTED, a missing input). */
  maxAttempts?: number;
  /** Delay before the first retry when the server gives no RetryInfo; doubles each time. */
  backoffMs?: number;
  /** gRPC client interceptors (tests inject faults on the wire with them). */
  interceptors?: grpc.Interceptor[];
}

export interface RemoteExecutionClient {
  /** Runs the action remotely; `actionId` goes into RequestMetadata (default: the action digest). */
  execute(action: RemoteAction, opts: { signal: AbortSignal; actionId?: string; skipCacheLookup?: boolean; onQueued?: QueuedListener }): Promise<ExecuteOutcome>;
  /** Whether the server answers GetCapabilities before the signal ends (a breaker's probe, which no action waits on). */
  probe(signal: AbortSignal): Promise<boolean>;
  close(): void;
}

/** Told true when the server says the operation waits in its queue, false when it leaves it (executing, done, or the call ended). */
export type QueuedListener = (queued: boolean) => void;

const REQUEST_METADATA_HEADER = 'build.bazel.remote.execution.v2.requestmetadata-bin';
/** Codes after which Execute is tried again. */
const RETRYABLE: ReadonlySet<number> = new Set([grpc.status.UNAVAILABLE, grpc.status.RESOURCE_EXHAUSTED]);

/** A rejection on its way out of the attempt loop. */
class Rejection extends Error {
  constructor(
    readonly reason: RejectionReason,
    message: string,
  ) {
    super(message);
  }
}

export function createRemoteExecutionClient(opts: RemoteExecutionOptions): RemoteExecutionClient {
  const instance = opts.instance ?? '';
  const invocationId = opts.invocationId ?? randomUUID();
  const current = new AsyncLocalStorage<string>();
  const base = new grpc.Metadata();
  for (const [k, v] of Object.entries(opts.headers ?? {})) base.set(k.toLowerCase(), v);
  const client = createReapiClient({
    target: opts.target,
    credentials: opts.credentials ?? grpc.credentials.createInsecure(),
    metadata: () => {
      const md = base.clone();
      md.set(
        REQUEST_METADATA_HEADER,
        encodeReapiMessage('build.bazel.remote.execution.v2.RequestMetadata', {
          toolDetails: { toolName: 'reprise', toolVersion: packageVersion() },
          toolInvocationId: invocationId,
          actionId: current.getStore() ?? '',
          actionMnemonic: 'CppCompile',
        }),
      );
      return md;
    },
    maxInFlight: opts.maxInFlight ?? 32,
    channelOptions: { 'grpc.max_receive_message_length': MAX_BATCH_BYTES + (1 << 20), 'grpc.primary_user_agent': `reprise/${packageVersion()}`, ...(opts.interceptors ? { interceptors: opts.interceptors } : {}) },
  });
  const closing = new AbortController();
  const inFlight = new Map<string, Promise<void>>();
  const present = new Map<string, number>();
  let limits: Promise<CacheLimits> | undefined;
  const askLimits = (signal: AbortSignal): Promise<CacheLimits> => {
    const p = (limits ??= (async () => {
      const caps = await client.unary('GetCapabilities', { instanceName: instance }, signal);
      if (!caps.executionCapabilities?.execEnabled) throw new Rejection('unavailable', 'the server does not execute actions (exec_enabled is false)');
      const checked = checkCacheCapabilities(caps, 'sha256');
      if ('problem' in checked) throw new Rejection('unavailable', checked.problem);
      return checked;
    })());
    p.catch(() => {
      if (limits === p) limits = undefined;
    });
    return p;
  };
  const cas = createGrpcCas({ name: opts.target, instance, algorithm: 'sha256', client, limits: askLimits });

  async function attempt(action: RemoteAction, signal: AbortSignal, skipCacheLookup: boolean, t: ExecutionTimings, onQueued?: QueuedListener): Promise<CompletedExecution> {
    const lim = await askLimits(signal);
    const upload: UploadContext = { client, instance, algorithm: 'sha256', maxBatchBytes: lim.maxBatchBlobBytes, digestFunction: lim.digestFunction, inFlight, present };
    let backoff = opts.backoffMs ?? 200;
    let reuploaded = false;
    for (;;) {
      t.attempts++;
      const up0 = performance.now();
      try {
        const r = await uploadActionBlobs(upload, action, signal);
        t.uploadBytes += r.bytes;
        t.uploadedBlobs += r.blobs;
      } catch (e) {
        if (e instanceof BlobChangedError) throw new Rejection('upload-failed', e.message);
        if (e instanceof ReapiCallError && !e.aborted && (RETRYABLE.has(e.code) || retryDelayMs(e.status) !== undefined) && t.attempts < (opts.maxAttempts ?? 3)) {
          await sleep(retryDelayMs(e.status) ?? backoff, undefined, { signal });
          backoff *= 2;
          continue;
        }
        throw e instanceof ReapiCallError && !e.aborted ? new Rejection(RETRYABLE.has(e.code) ? 'unavailable' : 'upload-failed', e.message) : e;
      } finally {
        t.uploadMs += performance.now() - up0;
      }
      const ex0 = performance.now();
      let response: ExecuteResponse;
      try {
        const stages = stageClock(onQueued);
        try {
          response = await runExecuteOperation(client, { instanceName: instance, actionDigest: toWireDigest(action.digest), skipCacheLookup, digestFunction: lim.digestFunction }, signal, { onOperation: stages.see });
        } finally {
          stages.left();
        }
        if (stages.queuedMs !== undefined) t.queuedMs = (t.queuedMs ?? 0) + stages.queuedMs;
      } catch (e) {
        t.executeMs += performance.now() - ex0;
        const code = e instanceof ReapiCallError && !e.aborted ? e.code : e instanceof OperationError ? e.status.code : undefined;
        const wait = e instanceof OperationError ? retryDelayMs(e.status) : e instanceof ReapiCallError ? retryDelayMs(e.status) : undefined;
        if (code !== undefined && (RETRYABLE.has(code) || wait !== undefined) && t.attempts < (opts.maxAttempts ?? 3)) {
          await sleep(wait ?? backoff, undefined, { signal });
          backoff *= 2;
          continue;
        }
        if (e instanceof BadResponseError) throw new Rejection('bad-response', e.message);
        if (e instanceof OperationError) throw new Rejection('execute-failed', e.message);
        throw e instanceof ReapiCallError && !e.aborted ? new Rejection(RETRYABLE.has(e.code) ? 'unavailable' : 'execute-failed', e.message) : e;
      }
      t.executeMs += performance.now() - ex0;
      const status = response.status;
      if (status && status.code !== grpc.status.OK) {
        const wait = retryDelayMs(status);
        const missingInput = status.code === grpc.status.FAILED_PRECONDITION || status.code === grpc.status.NOT_FOUND;
        if (t.attempts < (opts.maxAttempts ?? 3) && (RETRYABLE.has(status.code) || wait !== undefined || (missingInput && !reuploaded))) {
          if (missingInput) {
            reuploaded = true; // the server lost an input after FindMissingBlobs: upload again, once, asking about every blob
            present.clear();
          }
          await sleep(wait ?? (missingInput ? 0 : backoff), undefined, { signal });
          backoff *= 2;
          continue;
        }
        // INVALID_ARGUMENT says this action can never run there (retrying cannot help): counted apart, so a user sees why.
        const reason = status.code === grpc.status.INVALID_ARGUMENT ? 'refused' : 'status-error';
        throw new Rejection(reason, `${grpc.status[status.code] ?? status.code}: ${status.message}`);
      }
      if (!response.result) throw new Rejection('bad-response', 'ExecuteResponse without a result');
      serverTimings(response, t);
      const dl0 = performance.now();
      try {
        return await readResult(action, response, signal, t);
      } finally {
        t.downloadMs += performance.now() - dl0;
      }
    }
  }

  /** The result's stdout, stderr and outputs, each verified against its digest. */
  async function readResult(action: RemoteAction, response: ExecuteResponse, signal: AbortSignal, t: ExecutionTimings): Promise<CompletedExecution> {
    const r = response.result!;
    const blob = async (what: string, raw: Buffer, wire: WireDigest | null): Promise<Buffer> => {
      if (raw.length > 0 || !wire || wire.sizeBytes === 0) return raw;
      const d = fromWireDigest(wire);
      if (!d) throw new Rejection('bad-response', `${what}: not a digest`);
      return fetchVerified(what, d, signal, t);
    };
    const stdout = await blob('stdout', r.stdoutRaw, r.stdoutDigest);
    const stderr = await blob('stderr', r.stderrRaw, r.stderrDigest);
    const outputs: CompletedExecution['outputs'] = new Map();
    for (const f of r.outputFiles) {
      if (!action.outputFiles.includes(f.path)) continue; // not asked for
      const d = fromWireDigest(f.digest);
      if (!d) throw new Rejection('bad-response', `${f.path}: not a digest`);
      const inline = f.contents.length === d.size && d.size > 0 && digestBytes('sha256', f.contents).hash === d.hash;
      outputs.set(f.path, { data: inline ? f.contents : await fetchVerified(f.path, d, signal, t), isExecutable: f.isExecutable });
    }
    return { exitCode: r.exitCode, stdout, stderr, outputs, cached: response.cachedResult, worker: r.executionMetadata?.worker ?? '', timings: t };
  }

  async function fetchVerified(what: string, d: Digest, signal: AbortSignal, t: ExecutionTimings): Promise<Buffer> {
    const data = await cas.get(d, signal).catch((e: unknown) => {
      // An executor lost after answering is an outage (the caller's timeout, or unavailable), so it is skipped for its cool-down like one lost mid-Execute.
      if (signal.aborted) throw e;
      if (e instanceof StoreError && e.code === 'unavailable') throw new Rejection('unavailable', `${what}: ${e.message}`);
      throw new Rejection('output-missing', `${what}: ${(e as Error).message}`);
    });
    if (!data) throw new Rejection('output-missing', `${what}: ${d.hash}/${d.size} is not in the CAS`);
    if (data.length !== d.size || digestBytes('sha256', data).hash !== d.hash) throw new Rejection('output-missing', `${what}: the bytes read do not match ${d.hash}/${d.size}`);
    t.downloadBytes += data.length;
    return data;
  }

  return {
    async execute(action, { signal, actionId, skipCacheLookup, onQueued }) {
      const timeout = AbortSignal.timeout(opts.timeoutMs ?? 600_000);
      const all = AbortSignal.any([signal, timeout, closing.signal]);
      const t: ExecutionTimings = { uploadMs: 0, uploadBytes: 0, uploadedBlobs: 0, executeMs: 0, downloadMs: 0, downloadBytes: 0, attempts: 0 };
      try {
        const result = await current.run(actionId ?? action.digest.hash, () => attempt(action, all, skipCacheLookup ?? false, t, onQueued));
        return { kind: 'completed', result };
      } catch (e) {
        if (e instanceof Rejection) return { kind: 'rejected', reason: e.reason, detail: e.message, timings: t };
        if (timeout.aborted && !signal.aborted) return { kind: 'rejected', reason: 'timeout', detail: `no result within ${opts.timeoutMs ?? 600_000} ms`, timings: t };
        if (all.aborted) return { kind: 'rejected', reason: 'aborted', detail: String(all.reason), timings: t };
        const unreachable = e instanceof ReapiCallError && (e.code === grpc.status.UNAVAILABLE || e.code === grpc.status.UNAUTHENTICATED || e.code === grpc.status.PERMISSION_DENIED);
        return { kind: 'rejected', reason: unreachable ? 'unavailable' : 'execute-failed', detail: (e as Error).message ?? String(e), timings: t };
      }
    },
    async probe(signal) {
      try {
        await client.unary('GetCapabilities', { instanceName: instance }, AbortSignal.any([signal, closing.signal]));
        return true;
      } catch {
        return false;
      }
    },
    close() {
      closing.abort(new Error('the executor was closed'));
      client.close();
    },
  };
}

/**
 * Queue time as the operation's stages show it: from the first QUEUED message to the first
 * EXECUTING or finished one (servers that stream ExecuteOperationMetadata; Bazel's worker does
 * not), and `onQueued` told as the operation enters and leaves the server's queue.
 */
function stageClock(onQueued?: QueuedListener): { see(op: Operation): void; left(): void; readonly queuedMs: number | undefined } {
  let queuedAt: number | undefined;
  let queuedMs: number | undefined;
  let told = false;
  const tell = (queued: boolean): void => {
    if (told !== queued) (told = queued), onQueued?.(queued);
  };
  return {
    see(op) {
      if (queuedMs !== undefined) return;
      let stage: number = EXECUTION_STAGE.UNKNOWN;
      if (op.metadata?.type_url.endsWith('/build.bazel.remote.execution.v2.ExecuteOperationMetadata')) {
        try {
          stage = decodeReapiMessage('build.bazel.remote.execution.v2.ExecuteOperationMetadata', op.metadata.value).stage;
        } catch {
          /* unreadable metadata: no stage */
        }
      }
      if (stage === EXECUTION_STAGE.QUEUED && !op.done) {
        queuedAt ??= performance.now();
        tell(true);
      } else if (queuedAt !== undefined && (stage === EXECUTION_STAGE.EXECUTING || stage === EXECUTION_STAGE.COMPLETED || op.done)) {
        queuedMs = performance.now() - queuedAt;
        tell(false);
      }
    },
    left: () => tell(false),
    get queuedMs() {
      return queuedMs;
    },
  };
}

/** The server's own account of where the time went (ExecutedActionMetadata). */
function serverTimings(response: ExecuteResponse, t: ExecutionTimings): void {
  const m = response.result?.executionMetadata;
  if (!m) return;
  const span = (a: PbTimestamp | null, b: PbTimestamp | null): number | undefined => (a && b && (a.seconds > 0 || a.nanos > 0) ? (b.seconds - a.seconds) * 1000 + (b.nanos - a.nanos) / 1e6 : undefined);
  const queued = span(m.queuedTimestamp, m.workerStartTimestamp);
  const fetch = span(m.inputFetchStartTimestamp, m.inputFetchCompletedTimestamp);
  const run = span(m.executionStartTimestamp, m.executionCompletedTimestamp);
  const upload = span(m.outputUploadStartTimestamp, m.outputUploadCompletedTimestamp);
  if (queued !== undefined) t.queuedMs = queued; // the server's account wins over the stages'
  if (fetch !== undefined) t.inputFetchMs = fetch;
  if (run !== undefined) t.runMs = run;
  if (upload !== undefined) t.outputUploadMs = upload;
}
