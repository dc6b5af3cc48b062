// The rustc adapter's contract with the Rust pipeline (src/pipeline/rust/): reasons and the job.

/** Why a rustc call that compiles is not cached. Closed and append-only; `reprise stats` counts each. */
export const RUSTC_UNCACHEABLE_REASONS = [
  'unknown-option', // an option the table does not know: we cannot tell what it does
  'missing-argument', // an option that needs a value ends argv
  'multiple-sources', // more than one input operand
  'stdin-source', // the source is `-` (autocfg's probes): the daemon cannot feed stdin
  'no-crate-name', // no --crate-name: rustc would read #![crate_name] from the source
  'no-crate-type', // no --crate-type: rustc would read #![crate_type] from the source
  'unstable-option', // -Z: unstable behaviour we do not model
  'unsupported-emit', // --emit asm, llvm-ir, llvm-bc, obj or mir (only link, metadata and dep-info are cached)
  'output-file', // -o: where rustc puts each output then follows rules we do not model
  'split-debuginfo', // -C split-debuginfo=packed|unpacked: .dwo/.dwp files beside the outputs
  'save-temps', // -C save-temps: intermediate files beside the outputs
  'profile-file', // -C profile-use / profile-sample-use: a file input we do not hash yet
  'target-spec-file', // --target FILE.json: a file input we do not hash yet
  'custom-sysroot', // --sysroot: the tool identity covers the default sysroot only
  'print-request', // --print native-static-libs or link-args next to a compile: output we do not replay
  'links', // a compile that links, whose linker could not be found or identified
  'bad-argfile', // an @file that could not be read
  'bad-depinfo', // the dependency pre-pass wrote no dep-info we could read
  'rustc-unidentified', // `rustc -vV` or `--print sysroot` failed, or a toolchain file could not be read
  'extern-unreadable', // an --extern file could not be read (rustc will fail on it)
  'no-link-deps', // a compile that links, whose linker wrote no dependency file (a linker without --dependency-file)
  'unexpected-output', // the traced fill wrote a file the job does not name (a proc-macro exporting bindings): a hit would not write it
] as const;
export type RustcUncacheableReason = (typeof RUSTC_UNCACHEABLE_REASONS)[number];

/** The crate types rustc knows; each names its link output. */
export const RUST_CRATE_TYPES = ['bin', 'lib', 'rlib', 'dylib', 'cdylib', 'staticlib', 'proc-macro'] as const;
export type RustCrateType = (typeof RUST_CRATE_TYPES)[number];

/** The --emit kinds that are cached (the others are `unsupported-emit`). */
export type RustEmit = 'link' | 'metadata' | 'dep-info';

/** One `--extern name[=path]`, the path as given. */
export interface RustExtern {
  name: string;
  path: string | undefined;
}

/** One `-l`: a native library rustc bundles (static, into an rlib or staticlib) or hands to the linker. */
export interface RustNativeLib {
  kind: string;
  name: string;
  /** `+verbatim`: NAME is the file name, without lib….a around it. */
  verbatim: boolean;
}

/** A cacheable rustc compile, as the Rust pipeline needs it. Paths are as given (relative to cwd or absolute). */
export interface RustJob {
  crateName: string;
  crateTypes: RustCrateType[];
  /** The crate root. */
  source: string;
  /** Files the compile writes, by role (`link:rlib`, `metadata`, `dep-info`, ...), in a fixed order. */
  outputs: Array<{ role: string; path: string }>;
  /** Arguments after argv[0] as the compiler runs them (`-C incremental` removed: see rustc-adapter.ts). */
  runArgs: string[];
  /**
   * The arguments of the dependency pre-pass: runArgs without --emit, -o and --out-dir; the
   * pipeline adds `--emit=dep-info=FILE -Z binary-dep-depinfo` (with RUSTC_BOOTSTRAP=1).
   */
  scanArgs: string[];
  /** Arguments that decide the outputs, in order (runArgs; the key adds the working directory). */
  keyArgs: string[];
  /**
   * The paths in keyArgs that name where rustc looks and writes, not what it reads:
   * `--out-dir`, `-L` and `--extern` (the extern's bytes are keyed by digest). Their
   * spelling reaches no output but text (dep-info, messages), so the key may spell them
   * from the cargo target directory (rustc-key.ts). The path runs from `start` to the
   * end of keyArgs[arg].
   */
  keyPaths: Array<{ arg: number; start: number }>;
  externs: RustExtern[];
  /** `-L` directories by kind (`all` when unnamed), in order. */
  searchDirs: Array<{ kind: string; path: string }>;
  /** `-l [KIND[:MODIFIERS]=]NAME[:RENAME]`, in order (KIND defaults to dylib). */
  nativeLibs: RustNativeLib[];
  /** -C target-cpu=native: the host CPU is a key input. */
  nativeCpu: boolean;
  /** --target, when given (a target name). */
  target: string | undefined;
  /** The compile runs the linker (bin, dylib, cdylib, proc-macro, --test with --emit=link). */
  links: boolean;
  /** -C linker, when given (otherwise rustc runs `cc` from PATH). */
  linker: string | undefined;
}

export type RustcParse =
  | { kind: 'compile'; job: RustJob }
  | { kind: 'not-a-compile' }
  | { kind: 'uncacheable'; reason: RustcUncacheableReason; detail: string };
