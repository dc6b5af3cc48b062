// The ghc adapter's contract with the GHC pipeline (src/pipeline/ghc/): reasons and the job.

/** Why a ghc call that compiles is not cached. Closed and append-only; `reprise stats` counts each. */
export const GHC_UNCACHEABLE_REASONS = [
  'ghc-make', // --make (also ghc's default mode when sources are given without -c): a whole build, run as it is
  'multiple-sources', // `ghc -c` with more than one source: one output set per call is cached
  'non-haskell-source', // -c on a C, assembly or object file: ghc hands it to the C toolchain
  'literate-source', // .lhs: the module header is found only after unlit
  'signature-source', // .hsig (Backpack): instantiation is not modelled
  'unsupported-mode', // -E, -S, -C, -M, -e, --interactive, --frontend, --backpack, --abi-hash
  'module-name-unknown', // the module header could not be read (CPP around it, unreadable source): the output names depend on it
  'extra-outputs', // -fwrite-ide-info, -ddump-to-file, -keep-*-files, -fhpc: files beside the outputs we do not replay
  'output-flag-form', // an output option glued to its value (-odirX): we read the separate form only
  'missing-argument', // an option that needs a value ends argv
  'response-file', // an @file argument: ghc's quoting in it is not modelled
  'ghc-unidentified', // `ghc --info` failed or its executable could not be read
  'unexpected-output', // the fill wrote a file the job did not name (a _stub.h, say): not stored
  'missing-output', // the fill did not write an output the job names
  'links', // a link (ghc -shared, objects only): nothing to compile, run as it is
  'ghc-make-graph', // a --make build whose module graph `ghc -M` could not give: run as it is
] as const;
export type GhcUncacheableReason = (typeof GHC_UNCACHEABLE_REASONS)[number];

/** One file a one-shot compile writes, by role, with its path as the caller's ghc would write it (relative to cwd or absolute). */
export interface GhcOutput {
  role: 'obj' | 'hi' | 'dyn-obj' | 'dyn-hi' | 'stub';
  path: string;
}

/**
 * Where a one-shot compile puts its outputs, from its options. The names under -odir and
 * -hidir follow the module's name, which only its source says: the pipeline reads the
 * header (module-header.ts) and asks ghcOutputs (ghc-outputs.ts).
 */
export interface GhcOutputLayout {
  /** -o, -ohi, -dyno: explicit files. */
  obj?: string;
  hi?: string;
  dynObj?: string;
  odir?: string;
  hidir?: string;
  stubdir?: string;
  osuf: string;
  hisuf: string;
  dynosuf: string;
  dynhisuf: string;
  /** -dynamic-too: a second object and interface. */
  dynamicToo: boolean;
}

/** A cacheable `ghc -c` of one Haskell module. Paths are as given. */
export interface GhcJob {
  /** The source operand, as given. */
  source: string;
  /** An .hs-boot source: outputs take the `-boot` suffix. */
  boot: boolean;
  layout: GhcOutputLayout;
  /** CPP is on for every module (-cpp, -XCPP): a directive may come before the module header. */
  cpp: boolean;
  /** Arguments after argv[0] as ghc runs them. */
  runArgs: string[];
}

/**
 * A `ghc --make` build the daemon splits into one-shot module jobs (src/pipeline/ghc/split-make.ts).
 * `flags` are the arguments without --make and the targets: each module job runs `ghc -c
 * FLAGS SOURCE`, and `ghc -M FLAGS TARGETS` gives the graph.
 */
export interface GhcMakeJob {
  flags: string[];
  /** Module names and source files, as given. */
  targets: string[];
  /** Arguments after argv[0] as given: what runs when the build is not split, and what links afterwards. */
  runArgs: string[];
  /** -no-link: the build never links (cabal's library builds link later, with ghc -shared). */
  noLink: boolean;
}

export type GhcParse =
  | { kind: 'not-a-compile' }
  | { kind: 'uncacheable'; reason: GhcUncacheableReason; detail?: string }
  | { kind: 'compile'; job: GhcJob }
  | { kind: 'make'; job: GhcMakeJob };
