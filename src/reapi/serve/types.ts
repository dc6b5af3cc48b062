// `reprise serve`, the team's own cache server (docs/team-cache.md, "reprise serve"): what it
// is configured with, who may do what, and the store both protocols share.
import type { Digest } from '../../hashing/types.js';
import type { StreamedWrite } from '../../store/local/streamed-write.js';
import type { StoreSize } from '../../store/local/types.js';

/** What a request may do: decided by its token (or by the absence of configured tokens). */
export type Access = 'read' | 'read-write';

/** The answer to "who is this?": an access, or why there is none. */
export type AccessCheck = { ok: true; access: Access } | { ok: false; reason: 'missing' | 'unknown' };

/** The tokens a server accepts; with none configured every request may read and write. */
export interface TokenTable {
  /** How many tokens are configured (0: no authentication). */
  readonly size: number;
  /** The access of a bearer token (undefined: no such token). */
  lookup(token: string): Access | undefined;
}

/** A host and port to listen on; port 0 asks for a free one. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** A certificate and its key (PEM), for https and grpcs. */
export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

export interface ServeOptions {
  /** REAPI v2 gRPC. */
  grpc?: ListenAddress;
  /** The bazel-remote HTTP layout. */
  http?: ListenAddress;
  /** The store's directory (entries go in DIR/sha256). */
  dir: string;
  /** LRU eviction keeps the store under this many bytes; 0: no limit. */
  maxBytes: number;
  tokens: TokenTable;
  tls?: TlsFiles;
  /** The Execution service (`--execute`); absent: a cache only. */
  execute?: ExecuteOptions;
  /** Told of failures of background work and of refused requests worth a line in the log. */
  log?: (line: string) => void;
}

/**
 * The server's store: SHA-256 blobs, verified on the way in and on the way out, and action-cache
 * entries kept as the client sent them. Every use refreshes recency; LRU eviction keeps it under
 * its limit. "Not found" is undefined; StoreError is a failure ('corrupt' for a digest that does
 * not match the bytes, 'too-large' for an upload larger than the limit).
 */
export interface ServeStore {
  /**
   * The blobs of `digests` the store lacks; present ones count as used. A blob seen in the last
   * minute is taken as present unless `fresh` (an answer a client trusts without reading the
   * blob: an action result's outputs, an upload skipped as done).
   */
  findMissing(digests: readonly Digest[], opts?: { fresh?: boolean }): Promise<Digest[]>;
  /** The size of a blob that is there (for HEAD), without reading it. */
  blobSize(hash: string): Promise<number | undefined>;
  /** The blob, checked against its digest (a corrupt one is dropped and reads as absent). */
  readBlob(hash: string): Promise<Buffer | undefined>;
  /** A blob found gone by a reader that bypasses the store (staging's hardlinks): findMissing must stat it again. */
  forget(hash: string): void;
  /** Where a blob's file is (it may be absent): staging hardlinks it, and never writes through it. */
  blobPath(hash: string): string;
  /** Stores a blob after checking its bytes against `digest`. */
  putBlob(digest: Digest, data: Buffer): Promise<void>;
  /** A streamed upload of a blob, checked against `expect` before it is stored. */
  startBlobPut(expect: { hash: string; size?: number }): StreamedWrite;
  actionSize(key: string): Promise<number | undefined>;
  getAction(key: string): Promise<Buffer | undefined>;
  startActionPut(key: string): StreamedWrite;
  size(): StoreSize;
  /** Writes pending recency updates and stops background work. */
  close(): Promise<void>;
}

/** `reprise serve --execute`: how actions run (docs/remote-execution.md, "reprise serve --execute"). */
export interface ExecuteOptions {
  /** Actions running at once. */
  jobs: number;
  /** Actions waiting for a slot; more get RESOURCE_EXHAUSTED. */
  maxQueue: number;
  /** For an Action without a timeout. */
  defaultTimeoutMs: number;
  /** bubblewrap. */
  bwrap: string;
  /** Named in ExecutedActionMetadata.worker. */
  worker: string;
  /** The lookup tracer (shims/lookup-trace.c), preloaded into an action that asks for its trace (TRACE_PROPERTY); without it such actions run untraced. */
  lookupTracer?: string;
  /** reprise-spawner, which starts each action's bubblewrap (run-sandboxed-command.ts); without it, Node's spawn does. */
  spawner?: string;
  /** `unshare`, when this machine can add an input root's files to its system directories by overlays (overlay-mounts.ts); without it such roots are refused. */
  unshare?: string;
}
