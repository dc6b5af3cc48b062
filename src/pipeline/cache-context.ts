import type { FileDigestCache } from '../hashing/file-digest-cache.js';
import type { DigestAlgorithm } from '../hashing/types.js';
import type { ContentScan } from '../adapters/gcc/scan-content.js';
import type { ToolIdentity } from '../adapters/gcc/identify-gcc.js';
import type { LocalExecutor } from '../exec/types.js';
import type { Sandbox } from '../exec/create-sandbox.js';
import type { Logger } from '../daemon/logger.js';
import type { StatsStore } from '../stats/stats-store.js';
import type { ActionCache, ContentStore } from '../store/types.js';
import type { JsonStore } from '../store/local/create-local-json-store.js';
import type { StoreUsage } from '../store/local/types.js';
import type { RemoteTiers } from '../store/remote/create-remote-tiers.js';
import type { Manifest } from './manifest.js';
import type { CompileRecorder } from '../why/create-compile-recorder.js';
import type { RustContext } from './rust/create-rust-context.js';
import type { GhcContext } from './ghc/create-ghc-context.js';
import type { TicketDesk } from '../tickets/create-ticket-desk.js';
import type { DirListings } from './dir-listings.js';
import type { RemoteExecution } from './remote/types.js';
import type { GoIndex } from './go/create-go-index.js';

/** Everything the cached-compile flow uses, built once per daemon. */
export interface CacheContext {
  algorithm: DigestAlgorithm;
  /** REPRISE_BASE_DIR, if set: absolute paths under it are keyed relative to $PWD. */
  baseDir: string | undefined;
  files: FileDigestCache<ContentScan>;
  cas: ContentStore;
  actions: ActionCache;
  manifests: JsonStore<Manifest>;
  /** The team cache's remote tiers behind actions and manifests (share-stores.ts); undefined without remotes. */
  remotes: RemoteTiers | undefined;
  /** Recency, size and eviction of the local store (off the request path). */
  usage: StoreUsage;
  executor: LocalExecutor;
  stats: StatsStore;
  log: Logger;
  flight: <T>(key: string, task: () => Promise<T>) => Promise<T>;
  identify(toolPath: string, env: NodeJS.ProcessEnv): Promise<ToolIdentity>;
  /** The called path and every part of an identity `identify` returned, with the stamps they were checked under. */
  toolStamps(identity: ToolIdentity): ReadonlyArray<{ path: string; stamp: string }> | undefined;
  systemIncludeDirs(toolPath: string, language: string, args: string[], env: NodeJS.ProcessEnv): Promise<string[]>;
  /** Directory listings kept while their stamps hold, for the probes of absent names. */
  listings: DirListings;
  /** Private scratch space for depfiles the caller did not ask for. */
  scratchDir: string;
  /** Where cache fills run; undefined when REPRISE_SANDBOX=off (results are then stored marked unsandboxed). */
  sandbox: Sandbox | undefined;
  /** The files a toolchain needs inside the sandbox (memoised by its identity). */
  toolchain(toolPath: string, env: NodeJS.ProcessEnv): Promise<string[]>;
  /** Whether the driver runs in the sandbox (a wrapper script may not: driver-runs-inside.ts); always true for a binary. */
  driverRunsInside(toolPath: string, env: Map<string, string>): Promise<boolean>;
  /** The last compiles of each output file, for `reprise why`. */
  why: CompileRecorder;
  /** Verify mode (docs/verify.md): REPRISE_VERIFY_RATE, and the file mismatches are appended to. */
  verify: { rate: number; log: string };
  /** rustc identities and file digests (src/pipeline/rust/). */
  rust: RustContext;
  /** ghc identities and file digests (src/pipeline/ghc/). */
  ghc: GhcContext;
  /** REAPI executors misses may run on (REPRISE_EXECUTOR); undefined without any, or when REPRISE_EXECUTE=local. */
  remote: RemoteExecution | undefined;
  /** Hit tickets for the shims (REPRISE_TICKETS); undefined when off. */
  tickets: TicketDesk | undefined;
  /** The go index the GOCACHEPROG child answers gets from (off with the tickets). */
  goIndex: GoIndex | undefined;
}
