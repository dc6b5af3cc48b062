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

/**
 * The job each language's adapter plans, by the language whose pipeline compiles it: c for
 * gcc and clang (src/pipeline/c-pipeline.ts), rust for rustc (src/pipeline/rust/), ghc for
 * a one-shot `ghc -c` (src/pipeline/ghc/), ghc-make for a `ghc --make` build that the daemon
 * splits into ghc jobs (src/pipeline/ghc/split-make.ts). The daemon looks the pipeline up
 * by this name (src/pipeline/driver/pipelines.ts).
 */
export interface JobByLanguage {
  c: CompileJob;
  rust: RustJob;
  ghc: GhcJob;
  'ghc-make': GhcMakeJob;
}

export type Language = keyof JobByLanguage;

/** A cacheable compile in one language. `terminalArgs` make the output what the caller's terminal would show. */
export type CompilePlan<L extends Language = Language> = { [P in L]: { kind: 'compile'; language: P; job: JobByLanguage[P]; terminalArgs: string[] } }[L];

/** What the daemon does with a call. */
export type CallPlan =
  /** Not a compile (links, probes): the shim runs the tool itself. */
  | { kind: 'decline'; reason: PassThroughReason }
  /** A compile we cannot cache, for a counted reason: the shim runs the tool itself. */
  | { kind: 'uncacheable'; reason: string }
  | CompilePlan;

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
