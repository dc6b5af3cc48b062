// The contract of remote execution over REAPI (issue 17), with no implementation: what an
// action is made of, what the execution client answers, and the Executor interface of
// DESIGN.md §2. See docs/remote-execution.md for the input-root and path design.
import type { Digest } from '../../hashing/types.js';
import type { HostTrace } from './map-remote-trace.js';
import type { OutsideDigests } from '../../reapi/platform-properties.js';

/** Where a blob's bytes come from: a host file (read when it is uploaded) or bytes in memory. */
export type BlobSource = { kind: 'file'; path: string } | { kind: 'bytes'; data: Buffer };

/** One file of an input root, at a root-relative POSIX path ("usr/bin/gcc", "home/u/p/main.c"). */
export interface InputFile {
  path: string;
  digest: Digest;
  isExecutable: boolean;
  source: BlobSource;
}

/** A Merkle input root, encoded: its digest and every blob a server may need to run over it. */
export interface InputRoot {
  digest: Digest;
  /** Encoded Directory messages (the root's among them), by digest hash. */
  directories: Map<string, { digest: Digest; data: Buffer }>;
  /** The files, one per distinct digest (the same bytes at two paths are one blob). */
  files: Map<string, { digest: Digest; source: BlobSource }>;
  /** Files in the tree (paths, not distinct blobs) and their total size. */
  fileCount: number;
  totalBytes: number;
}

/** What a Command says, before encoding (REAPI 2.0 fields: output_files, not output_paths). */
export interface CommandSpec {
  arguments: string[];
  /** Sent exactly; encoded sorted by name. The executor's own environment is not inherited. */
  env: ReadonlyMap<string, string>;
  /** Relative to the working directory. */
  outputFiles: string[];
  /** Root-relative; "" is the root. */
  workingDirectory: string;
  /** Platform properties, encoded sorted by name then value. */
  platform: ReadonlyArray<{ name: string; value: string }>;
}

/** A complete REAPI action: its digest and every blob it names. */
export interface RemoteAction {
  digest: Digest;
  /** The encoded Action and Command. */
  action: Buffer;
  command: Buffer;
  commandDigest: Digest;
  inputRoot: InputRoot;
  /** The Command's output_files, in the order the caller gave them (results come back by path). */
  outputFiles: string[];
}

/** Per-phase timings and byte counts of one execution, for stats and reports. */
export interface ExecutionTimings {
  /** FindMissingBlobs and the uploads. */
  uploadMs: number;
  uploadBytes: number;
  uploadedBlobs: number;
  /** Execute sent to the last message (the whole server side). */
  executeMs: number;
  /** The server's own account (ExecutedActionMetadata), when it gives one. */
  queuedMs?: number;
  inputFetchMs?: number;
  runMs?: number;
  outputUploadMs?: number;
  /** Outputs, stdout and stderr read back. */
  downloadMs: number;
  downloadBytes: number;
  /** Attempts of Execute (retries after UNAVAILABLE, RESOURCE_EXHAUSTED or RetryInfo). */
  attempts: number;
}

/** An action that ran: the command's exit code (non-zero is a result, not an error) and its outputs. */
export interface CompletedExecution {
  exitCode: number;
  stdout: Buffer;
  stderr: Buffer;
  /** By output path as the Command named it; absent when the command did not produce it. */
  outputs: Map<string, { data: Buffer; isExecutable: boolean }>;
  /** The server answered from its action cache. */
  cached: boolean;
  worker: string;
  timings: ExecutionTimings;
  /** With the lookup trace asked for (GccActionSpec.traceLookups): what the compile asked, read as the host's. */
  lookups?: RemoteLookups;
}

/** A remote compile's lookups as the host's, to prove them against the host (src/pipeline/remote/verify-remote-trace.ts). */
export interface RemoteLookups extends HostTrace {
  /** A gcc compile's depfile of what it read (its own -MD, or the one added), paths mapped back to the host's. */
  reads?: string;
  /** Each file of the input root as sent: its path in the root and its SHA-256 hash. */
  sent: ReadonlyMap<string, string>;
  /** For a root at `/`, when the executor gives them: what the command took from its own disk, digested. */
  executorFiles?: OutsideDigests;
}

/** Why the executor did not run the action (the caller then runs it locally). */
export const REJECTION_REASONS = [
  'unavailable', // the server could not be reached, or refused calls (UNAVAILABLE, auth, overload after retries)
  'upload-failed', // an input blob could not be uploaded
  'execute-failed', // Execute or WaitExecution failed, or the operation ended with an error
  'status-error', // ExecuteResponse.status was not OK (e.g. a missing input: NOT_FOUND)
  'refused', // the executor found the action invalid (INVALID_ARGUMENT: e.g. an input root it cannot place, such as a tool's directory it lacks)
  'timeout', // the action did not finish in time
  'output-missing', // a blob the result names could not be read back, or did not match its digest
  'bad-response', // the server's answer made no sense (no result, undecodable messages)
  'aborted', // the caller's signal ended it
  'not-representable', // the job cannot be an action (e.g. a path the input root cannot hold)
  'read-outside-root', // the compile read a file from the executor's disk, not the input root (its depfile says so)
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export type ExecuteOutcome = { kind: 'completed'; result: CompletedExecution } | { kind: 'rejected'; reason: RejectionReason; detail: string; timings?: Partial<ExecutionTimings> };

/** DESIGN.md §2: the next executor is tried on rejection, and local is the last. */
export interface Executor<A> {
  readonly name: string;
  /** `onQueued`: told while the action waits in the executor's queue (only servers that stream its stages tell). */
  execute(action: A, opts: { signal: AbortSignal; onStream?: (stream: 'stdout' | 'stderr', data: Buffer) => void; onQueued?: (queued: boolean) => void }): Promise<ExecuteOutcome>;
  close(): Promise<void>;
}
