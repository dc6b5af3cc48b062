// The storage contracts (DESIGN.md §2): tiny interfaces, features as decorators.

/** Content-addressed blobs, named by the hex digest of their bytes. */
export interface ContentStore {
  /** The digests this store does not hold. */
  findMissing(digests: readonly string[]): Promise<string[]>;
  /** The blob, verified against its digest; undefined when absent (or found corrupt and dropped). */
  get(digest: string): Promise<Buffer | undefined>;
  put(digest: string, data: Buffer): Promise<void>;
  /** Where the blob's file is, for a store on this machine (a hit ticket points the shim at it). */
  localPath?(digest: string): string;
  /**
   * Stores the file at `file`, whose `size` bytes the caller read and hashed to `digest`, by
   * a hard link instead of a copy (a store on this machine). False when it cannot be linked
   * (another file system, no links): then nothing changed and the caller puts the bytes.
   */
  link?(digest: string, file: string, size: number): boolean;
}

/** One output file of an action, by its role (object, depfile, dwo, ...). */
export interface OutputFile {
  role: string;
  /** Where the compile wrote it, relative to the action's working directory or absolute. */
  path: string;
  digest: string;
  size: number;
  mode: number;
}

/** What replaying a cached compile needs. Stored as JSON; fields are only ever added. */
export interface ActionResult {
  schema: 1;
  outputs: OutputFile[];
  stdoutDigest: string;
  stderrDigest: string;
  exitCode: number;
  /** Wall time of the compile that produced it, for "time saved". */
  durationMs: number;
  createdAt: string;
  /** Whether a sandbox proved the inputs complete (unsandboxed results never leave this machine). */
  sandboxed: boolean;
  /**
   * rustc: stdout, stderr and the dep-info output are templates naming the cargo target
   * directory by a token (src/pipeline/rust/target-template.ts), rendered for each caller.
   */
  targetRelative?: true;
  /**
   * The URL of the remote executor that ran the compile (docs/remote-execution.md). A result
   * from an untrusted executor is stored unsandboxed and served on this machine only while
   * that executor is still configured.
   */
  executor?: string;
}

export interface ActionCache {
  get(key: string): Promise<ActionResult | undefined>;
  put(key: string, result: ActionResult): Promise<void>;
  /** Forgets results kept in memory (after `reprise cache clear`). */
  dropMemo(): void;
}

/**
 * `refused`: a remote denied the request (a read-only token writing): not a fault of the remote.
 * `timeout`: its deadline passed. `too-large`: an upload larger than a store's size limit.
 */
export type StoreErrorCode = 'io' | 'no-space' | 'corrupt' | 'unavailable' | 'refused' | 'timeout' | 'too-large';

/** Infrastructure failure, as opposed to "not found" (which is undefined). */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(readonly code: StoreErrorCode, message: string) {
    super(message);
  }
}
