import type { Call } from '../protocol/frames.js';
import type { CompileJob } from '../pipeline/types.js';
import type { RustJob } from './rustc/types.js';
import type { GhcJob, GhcMakeJob } from './ghc/types.js';
import type { PassThroughReason } from '../stats/stat-names.js';

/** A call with its environment as a map (first occurrence wins, as getenv does). */
export interface Invocation {
  call: Call;
  env: ReadonlyMap<string, string>;
  /** The directory the compiler will record as its cwd ($PWD when it names the cwd, as gcc does). */
  logicalCwd: string;
}

/** What the daemon does with a call. */
export type CallPlan =
  /** Not a compile (links, probes): the shim runs the tool itself. */
  | { kind: 'decline'; reason: PassThroughReason }
  /** A compile we cannot cache, for a counted reason: the shim runs the tool itself. */
  | { kind: 'uncacheable'; reason: string }
  /** A cacheable compile. `terminalArgs` make the output what the caller's terminal would show. */
  | { kind: 'compile'; job: CompileJob; terminalArgs: string[] }
  /** A cacheable rustc compile (src/pipeline/rust/). */
  | { kind: 'rust-compile'; job: RustJob; terminalArgs: string[] }
  /** A cacheable `ghc -c` (src/pipeline/ghc/). */
  | { kind: 'ghc-compile'; job: GhcJob; terminalArgs: string[] }
  /** A `ghc --make` build, split into cached module jobs (src/pipeline/ghc/split-make.ts). */
  | { kind: 'ghc-make'; job: GhcMakeJob; terminalArgs: string[] };

/**
 * One compiler family. Planning reads at most response files; keys and inputs come later.
 * A tool the daemon runs gets /dev/null as stdin, so an adapter must not plan a compile
 * that reads its source from stdin.
 */
export interface CompilerAdapter {
  readonly family: string;
  claims(shimName: string): boolean;
  plan(invocation: Invocation): CallPlan;
}
