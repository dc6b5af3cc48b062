import type { Sandbox } from '../../exec/create-sandbox.js';
import type { FileDigestCache } from '../../hashing/file-digest-cache.js';
import type { BuiltKey } from '../../keying/key-builder.js';
import type { ActionResult } from '../../store/types.js';
import type { RecordedCall } from '../../why/create-compile-recorder.js';
import type { CacheContext } from '../cache-context.js';
import type { CallSink } from '../call-sink.js';
import type { ManifestEntry, ViewCheck } from '../manifest.js';
import type { PlaceOutput, Replayed } from '../replay.js';
import type { SandboxRun } from '../run-in-sandbox.js';
import type { CallDirs } from '../stored-path.js';
import type { VerifiedCall } from '../verify-hit.js';

/**
 * What the driver needs of every language's call: what stats, `reprise why` and verify
 * mode read (the tool name it is counted under, its directories, its outputs), and the
 * umask a replay writes with.
 */
export type DrivenCall = RecordedCall & VerifiedCall & { umask: number };

/** A call the driver can key: `key` is the direct key (its digest names the manifest, its transcript goes into `reprise why`). */
export interface Keyed {
  kind: 'key';
  key: BuiltKey;
}

/** Why a call cannot be keyed (a counted stat name), and a detail for the debug log. */
export interface NotKeyed<R extends string = string> {
  kind: 'uncacheable';
  reason: R;
  why?: string;
}

/** What a call's manifest entries are matched against (manifest.ts matchManifestEntry). */
export interface MatchOn {
  /** The digest cache the language's inputs are memoised in. */
  files: FileDigestCache<unknown>;
  /** The directories stored relative paths resolve from. */
  dirs: CallDirs;
  /** The call's environment, when entries record the variables a compile read (rustc's `# env-dep`). */
  env?: ReadonlyMap<string, string>;
  /** How inputs with a view are checked (ghc's per-name usages of imported interfaces). */
  views?: ViewCheck;
}

/** A served hit, for the hooks that run after it. */
export interface Hit {
  entry: ManifestEntry;
  result: ActionResult;
  replayed: Replayed;
  dirs: CallDirs;
}

/**
 * One language behind the shared compile driver (drive-compile.ts), as sccache's compilers
 * plug into its one cached-or-compile flow. The driver keys the call, takes its key's
 * flight, looks the key up (manifest → entry → result → replay → count → why → verify →
 * exit), and otherwise hands the call to `fill`. C is the call, K its keyed value, R the
 * uncacheable reasons it counts. Hooks are small: everything in the hit path that is not
 * here is the same for every language.
 */
export interface LanguagePipeline<C extends DrivenCall, K extends Keyed, R extends string = string> {
  /** The direct key and what the language's fill needs alongside it (tool identity, ...), or why there is none. */
  key(ctx: CacheContext, c: C): Promise<K | NotKeyed<R>>;
  /** Where this call's manifest entries resolve their paths, and what they are checked with. */
  matchOn(ctx: CacheContext, c: C, k: K): MatchOn;
  /**
   * Whether a stored result can serve this call (its outputs line up; a result spelled for a
   * target directory needs one). The sandboxed rule is the driver's, the same for all.
   */
  accepts(result: ActionResult, c: C, k: K): boolean;
  /** Where each stored output goes for this call, how stored bytes and messages are rendered for it, and in which order the outputs are written (default: stored order) (replay.ts). */
  place(result: ActionResult, c: C, k: K): { place: PlaceOutput; render?: (stored: Buffer) => Buffer; order?: readonly number[] };
  /** Right after a replay, before the hit is counted (Rust remembers which crates the outputs were compiled against). */
  onReplayed?(ctx: CacheContext, c: C, k: K, hit: Hit): void;
  /** After the reply to an unverified hit, in the same turn, so memos are as the hit saw them (C offers the shim a ticket). Never throws. */
  afterHit?(ctx: CacheContext, c: C, k: K, hit: Hit): void;
  /** Verify mode: the call compiled again in the sandbox, nothing stored or written where the caller looks; or why it could not run. */
  recompile(ctx: CacheContext, sandbox: Sandbox, c: C, k: K, signal: AbortSignal): Promise<SandboxRun | string>;
  /** A miss, inside the key's flight: compile, store and answer the caller (the language's own fill). */
  fill(ctx: CacheContext, c: C, k: K, sink: CallSink): Promise<void>;
  /** Compile for the caller and store nothing, counting `reason`. */
  runUncached(ctx: CacheContext, c: C, sink: CallSink, reason: R): Promise<void>;
}
