// The contract of the gcc-like argv parser (parse-gcc-args.ts): what one driver call is.
// Types and closed name lists only.

/** Why a gcc-like call cannot be cached. Closed and append-only (DESIGN.md §2). */
export const GCC_UNCACHEABLE_REASONS = [
  'multiple-sources', // more than one input operand (sources or linker inputs)
  'no-source', // no input operand
  'stdin-source', // the source is `-`
  'output-to-stdout', // -o -
  'unknown-option', // an option the table does not know: we cannot tell what it does
  'too-hard-option', // a known option we cannot reason about (the detail names it)
  'unsupported-language', // a language we do not cache, or an input with no source suffix
  'no-output', // -fsyntax-only
  'missing-argument', // an option that needs a value ends argv
  'multiple-arch', // several different -arch (one compile per arch, fat output)
  'bad-response-file', // an @file that could not be read or nests too deep
] as const;
export type GccUncacheableReason = (typeof GCC_UNCACHEABLE_REASONS)[number];

/** Calls that are not compiles at all. The shim runs them itself. */
export const GCC_NOT_A_COMPILE_REASONS = [
  'link', // no -c, -S or -fsyntax-only: the driver links
  'preprocess-only', // -E
  'dependency-only', // -M or -MM (they imply -E, even next to -MD)
  'probe', // --version, -dumpversion, -print-*, -v alone...: exits before compiling
] as const;
export type GccNotACompileReason = (typeof GCC_NOT_A_COMPILE_REASONS)[number];

/** Languages (gcc's -x names) whose compiles we cache. Every other one is `unsupported-language`. */
export const GCC_CACHEABLE_LANGUAGES = [
  'c',
  'c++',
  'objective-c',
  'objective-c++',
  'cpp-output', // .i
  'c++-cpp-output', // .ii
  'objective-c-cpp-output', // .mi
  'objective-c++-cpp-output', // .mii
  'assembler', // .s
  'assembler-with-cpp', // .S, .sx
] as const;
export type GccLanguage = (typeof GCC_CACHEABLE_LANGUAGES)[number];

export type GccParse =
  | { kind: 'compile'; job: GccCompileJob }
  | { kind: 'not-a-compile'; reason: GccNotACompileReason }
  | { kind: 'uncacheable'; reason: GccUncacheableReason; detail: string };

export interface GccParseContext {
  /**
   * The directory the compiler records as its working directory, absolute. gcc records
   * $PWD when it names the same directory as getcwd(), so pass that one when it does:
   * prefix-map coverage of the cwd is decided on this string alone.
   */
  cwd: string;
  /** The name the driver was called by (g++, x86_64-linux-gnu-gcc-12, clang++-14...). */
  shimName: string;
}

/** A single-source compile we can cache. Paths are as given (relative to `cwd` if relative). */
export interface GccCompileJob {
  source: GccSource;
  /** -c: an object file; -S (wins over -c, in gcc and clang): assembly. */
  action: 'object' | 'assembly';
  output: { path: string; explicit: boolean };
  /** Every word of argv exactly once, in order, grouped into options and operands. */
  args: readonly GccArg[];
  /** Undefined without -MD/-MMD, or when the language is not preprocessed (no depfile is written). */
  depfile: GccDepfileRequest | undefined;
  /** Files the compile writes besides `output`, at the paths the driver derives. */
  extraOutputs: readonly GccExtraOutput[];
  /** Files the compile reads that preprocessing does not reveal: the key must hash them. */
  extraInputs: readonly GccExtraInput[];
  /** Any -g except a final -g0 (-gz alone does not count). */
  debugInfo: boolean;
  /** Why the working directory ends up in the outputs; empty when it does not. Non-empty: the cwd is a key input. */
  cwdUses: readonly GccCwdUse[];
  /** Why the output path ends up in the outputs' bytes; non-empty: it is a key input. */
  outputPathUses: readonly GccOutputPathUse[];
  /** -fprofile-arcs, --coverage or -fprofile-generate: the program writes .gcda files when run. */
  profileInstrumented: boolean;
  /** -march=native, -mcpu=native or -mtune=native: the host CPU is a key input. */
  nativeCpu: boolean;
  /** -frecord-gcc-switches and kin: the object holds the command line, so every word (even -o, colour) is key material. */
  recordsCommandLine: boolean;
  /** -B prefixes: the driver may run cc1, as... from these; the tool identity must digest those. */
  toolPrefixes: readonly string[];
  /** The -arch value, when exactly one was given (clang, Apple). */
  arch: string | undefined;
}

export interface GccSource {
  path: string;
  /** Index of the operand in args. */
  index: number;
  language: GccLanguage;
  /** From the -x in force at the operand, or from its suffix (g++ and clang++ read .c, .i, .h as C++). */
  languageFrom: 'x' | 'suffix';
}

/** One option with its value, or one operand, as it stood in argv. */
export interface GccArg {
  /** Index in args of words[0]. */
  index: number;
  /** One word (`-Iinc`, `-O2`, `x.c`) or two (`-I`, `inc`). */
  words: readonly string[];
  /** The table spelling that matched; undefined for an operand. */
  spelling: string | undefined;
  role: GccArgRole;
  /** It changes what the preprocessor produces; the preprocessor run must get it. */
  affectsCpp: boolean;
  /** Its whole effect is in the preprocessed text: a key built on that text may leave it out. */
  cppOnly: boolean;
  /** Where the path in it is, when it holds one: words[word].slice(offset). */
  path: GccPathSlot | undefined;
}

export interface GccPathSlot {
  word: number;
  offset: number;
}

export type GccArgRole =
  | 'key' // changes the outputs: cache key material
  | 'ignored' // cannot change the outputs (colour, -pipe): not in the key
  | 'link-only' // -L, -l, -Wl,..., -Xlinker: unused by a compile
  | 'action' // -c, -S: the key takes `action`
  | 'output' // -o: the key takes `outputPathUses`
  | 'source' // the operand: the key takes its content and path
  | 'language' // -x: the key takes `source.language`
  | 'depfile'; // -MD -MMD -MF -MT -MQ -MP: the key takes `depfile` (its mode changes the content)

export interface GccDepfileRequest {
  /** MD lists system headers, MMD does not. Given both, in any order, gcc 12 and clang 14 write MMD. */
  mode: 'MD' | 'MMD';
  path: string;
  /** -MF (the last one wins), or the driver's default: the output (or source basename) with .d. */
  pathFrom: 'MF' | 'default';
  /**
   * In argv order, or the default target (the output as given, else the source basename
   * with .o, even for -S). gcc 12 writes all -MT targets before the -MQ ones; clang keeps
   * argv order.
   */
  targets: readonly GccDepTarget[];
  /** -MP: a phony target per header. */
  phonyTargets: boolean;
}

export interface GccDepTarget {
  /** As given to -MT/-MQ, or the default. */
  raw: string;
  /** As it appears in the depfile: -MT verbatim, -MQ and the default quoted for make. */
  make: string;
  from: 'MT' | 'MQ' | 'default';
}

export type GccExtraOutputKind =
  | 'split-dwarf' // -gsplit-dwarf with -g and -c: .dwo
  | 'coverage-notes' // --coverage, -ftest-coverage: .gcno
  | 'stack-usage'; // -fstack-usage: .su

export interface GccExtraOutput {
  kind: GccExtraOutputKind;
  path: string;
}

export type GccExtraInputKind =
  | 'profile' // -fprofile-use and kin
  | 'sanitizer-list'; // -fsanitize-ignorelist= and kin

export interface GccExtraInput {
  kind: GccExtraInputKind;
  option: string;
  /**
   * A file, or for profiles possibly a directory to search (gcc looks for mangled .gcda
   * names in it, clang for default.profdata). Undefined for a bare -fprofile-use: the
   * compiler's default (gcc: the output with .gcda; clang: ./default.profdata). A key
   * builder that cannot resolve it must not cache.
   */
  path: string | undefined;
}

export type GccCwdUse =
  | 'debug-info' // DW_AT_comp_dir, unless a prefix map or compilation dir covers the cwd
  | 'coverage-notes' // the .gcno records the cwd (and -fprofile-abs-path makes paths absolute)
  | 'profile-paths'; // instrumented objects embed absolute .gcda paths

export type GccOutputPathUse =
  | 'dwo-name' // the skeleton unit names the .dwo
  | 'profile-paths' // .gcda paths derive from the object path
  | 'depfile-target' // the default depfile target is the output path
  | 'command-line'; // recordsCommandLine: clang records -o too
