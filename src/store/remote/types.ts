// The remote tiers' contracts (DESIGN.md §2 and §4): what each protocol backend provides,
// and the REAPI shapes every backend stores, so one entry reads the same from nginx,
// Redis, `reprise serve` and any REAPI server.
import type { Digest } from '../../hashing/types.js';

/** REAPI v2 `OutputFile` (the subset reprise writes and reads). */
export interface RemoteOutputFile {
  path: string;
  digest: Digest;
  isExecutable: boolean;
}

/**
 * REAPI v2 `ActionResult`, the subset reprise uses. Reprise's own entry (a signed JSON
 * envelope: src/store/remote/entry-envelope.ts) travels inline in `stdoutRaw`; `outputFiles`
 * names every blob the entry needs, so servers that check completeness or collect garbage
 * by reachability (bazel-remote, Buildbarn) keep them.
 */
export interface RemoteActionResult {
  outputFiles: RemoteOutputFile[];
  exitCode: number;
  stdoutRaw: Buffer;
}

/**
 * Blobs on a remote, named by the cache's digest function. "Not found" is undefined (or a
 * digest listed by findMissing); infrastructure failure is a thrown StoreError. Every call
 * takes a signal: the breaker's timeout aborts it.
 */
export interface RemoteCas {
  findMissing(digests: readonly Digest[], signal: AbortSignal): Promise<Digest[]>;
  /** The bytes as the server sent them: the caller verifies the digest. */
  get(digest: Digest, signal: AbortSignal): Promise<Buffer | undefined>;
  put(digest: Digest, data: Buffer, signal: AbortSignal): Promise<void>;
}

/** Action-cache entries on a remote, by key (lowercase hex of the cache's digest function). */
export interface RemoteActionCache {
  get(key: string, signal: AbortSignal): Promise<RemoteActionResult | undefined>;
  put(key: string, result: RemoteActionResult, signal: AbortSignal): Promise<void>;
}

/** One remote, as its protocol speaks it (http-backend.ts, redis-backend.ts, grpc-backend.ts). */
export interface RemoteBackend {
  /** For logs and stats: the URL without credentials. */
  readonly name: string;
  readonly cas: RemoteCas;
  readonly ac: RemoteActionCache;
  close(): Promise<void>;
}
