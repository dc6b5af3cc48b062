// The gcc/clang driver's options, as data (in the spirit of ccache's compopt table).
// parse-gcc-args.ts walks argv with it; nothing here knows about a particular call.
import type { GccExtraInputKind, GccExtraOutputKind, GccNotACompileReason } from './types.js';

/** How an option takes its value. */
export type GccArgForm =
  | 'flag' // exactly the spelling: -c
  | 'separate' // the next word: -Xclang ARG
  | 'joined' // the rest of the word, maybe empty: -Wl,ARG; also the -O/-W/-f/-m/-g families
  | 'joined-or-separate' // -Iinc or -I inc
  | 'equals' // -std=c11
  | 'equals-or-separate' // --sysroot=DIR or --sysroot DIR
  | 'flag-or-equals'; // -fprofile-use or -fprofile-use=PATH

// Flag words. Those marked * come with a field that says more (why, which output...).
export const TAKES_PATH = 1 << 0; // the value is a path: a later step may rewrite it against a base dir
export const AFFECTS_CPP = 1 << 1; // changes what the preprocessor produces
export const CPP_ONLY = 1 << 2; // ...and nothing else: preprocessed text stands for it
export const TOO_HARD = 1 << 3; // * `tooHard`: the call is uncacheable
export const OUTPUT_PRODUCING = 1 << 4; // * `produces`: writes a file besides the output
export const NOT_A_COMPILE = 1 << 5; // * `notACompile`: the driver stops before compiling
export const PROBE = 1 << 6; // prints something about the compiler and exits
export const LINK_ONLY = 1 << 7; // only the linker sees it; a compile ignores it
export const NOT_IN_KEY = 1 << 8; // cannot change any output (colour, message length)
export const READS_INPUT = 1 << 9; // * `reads`: the value is a file the compiler reads
export const CLANG = 1 << 10; // clang spelling (informational: gcc would reject it, which is a result too)
export const MAPS_DEBUG_PATHS = 1 << 11; // OLD=NEW: rewrites paths under OLD in debug info
export const MAPS_FILE_MACRO = 1 << 12; // OLD=NEW: rewrites paths under OLD in __FILE__ and kin

/** Handling beyond the flags, in parse-gcc-args.ts. */
export type GccOptionEffect =
  | 'compile-object'
  | 'compile-assembly'
  | 'syntax-only'
  | 'output'
  | 'language'
  | 'dep-md'
  | 'dep-mmd'
  | 'dep-file'
  | 'dep-target'
  | 'dep-quoted-target'
  | 'dep-phony'
  | 'debug' // a -g level: on unless it ends in 0
  | 'split-dwarf'
  | 'prefix-map' // OLD=NEW for debug info: may cover the cwd
  | 'compilation-dir' // replaces the cwd in debug info
  | 'profile-arcs'
  | 'profile-generate'
  | 'profile-use'
  | 'profile-abs-path'
  | 'arch'
  | 'cpu' // -march= and kin: `native` makes the host CPU an input
  | 'xclang'
  | 'assembler-args'
  | 'verbose'
  | 'record-switches'
  | 'tool-prefix'
  | 'emit-llvm';

export interface GccOptionSpec {
  /** The spelling, without `=` or value. Unique in the table. */
  readonly spelling: string;
  readonly form: GccArgForm;
  readonly flags: number;
  readonly effect?: GccOptionEffect;
  /** With TOO_HARD: why, for the uncacheable detail. */
  readonly tooHard?: string;
  /** With OUTPUT_PRODUCING. */
  readonly produces?: GccExtraOutputKind;
  /** With NOT_A_COMPILE. */
  readonly notACompile?: Exclude<GccNotACompileReason, 'link' | 'probe'>;
  /** With READS_INPUT. */
  readonly reads?: GccExtraInputKind;
}

type More = Omit<GccOptionSpec, 'spelling' | 'form' | 'flags'>;
const opt = (spelling: string, form: GccArgForm, flags = 0, more: More = {}): GccOptionSpec => ({ spelling, form, flags, ...more });
const hard = (spelling: string, form: GccArgForm, why: string): GccOptionSpec => opt(spelling, form, TOO_HARD, { tooHard: why });

const CPP = AFFECTS_CPP | CPP_ONLY;
const CPP_PATH = AFFECTS_CPP | CPP_ONLY | TAKES_PATH;
const WRITES_FILE = 'writes a file reprise does not collect';
const READS_FILE = 'reads a file reprise does not track';
const UNDOES_OUTPUT = 'undoes an output-producing option (not modelled)';

export const GCC_OPTIONS: readonly GccOptionSpec[] = [
  // What the driver does, and where to.
  opt('-c', 'flag', 0, { effect: 'compile-object' }),
  opt('-S', 'flag', 0, { effect: 'compile-assembly' }),
  opt('-E', 'flag', NOT_A_COMPILE, { notACompile: 'preprocess-only' }),
  opt('-M', 'flag', NOT_A_COMPILE, { notACompile: 'dependency-only' }),
  opt('-MM', 'flag', NOT_A_COMPILE, { notACompile: 'dependency-only' }),
  opt('-fsyntax-only', 'flag', 0, { effect: 'syntax-only' }),
  opt('-o', 'joined-or-separate', TAKES_PATH, { effect: 'output' }),
  opt('-x', 'joined-or-separate', 0, { effect: 'language' }),
  opt('-emit-llvm', 'flag', CLANG, { effect: 'emit-llvm' }),
  opt('-pipe', 'flag', NOT_IN_KEY),

  // Probes: the driver prints and exits, even with -c and a source.
  opt('--version', 'flag', PROBE),
  opt('--help', 'flag-or-equals', PROBE),
  opt('--target-help', 'flag', PROBE),
  opt('-###', 'flag', PROBE),
  opt('-dumpversion', 'flag', PROBE),
  opt('-dumpfullversion', 'flag', PROBE),
  opt('-dumpmachine', 'flag', PROBE),
  opt('-dumpspecs', 'flag', PROBE),
  opt('-print-', 'joined', PROBE),
  opt('--print-', 'joined', PROBE),
  opt('-v', 'flag', 0, { effect: 'verbose' }),
  opt('--verbose', 'flag', 0, { effect: 'verbose' }),

  // Preprocessing.
  opt('-D', 'joined-or-separate', CPP),
  opt('-U', 'joined-or-separate', CPP),
  opt('-A', 'joined-or-separate', CPP),
  opt('-I', 'joined-or-separate', CPP_PATH),
  opt('-I-', 'flag', CPP),
  opt('-F', 'joined-or-separate', CPP_PATH | CLANG),
  opt('-include', 'joined-or-separate', CPP_PATH),
  opt('-imacros', 'joined-or-separate', CPP_PATH),
  opt('-isystem', 'joined-or-separate', CPP_PATH),
  opt('-iquote', 'joined-or-separate', CPP_PATH),
  opt('-idirafter', 'joined-or-separate', CPP_PATH),
  opt('-iprefix', 'joined-or-separate', CPP_PATH),
  opt('-iwithprefix', 'joined-or-separate', CPP), // relative to -iprefix, not to the cwd
  opt('-iwithprefixbefore', 'joined-or-separate', CPP),
  opt('-iwithsysroot', 'joined-or-separate', CPP), // relative to the sysroot
  opt('-imultilib', 'joined-or-separate', CPP), // a subdirectory name
  opt('-imultiarch', 'joined-or-separate', CPP),
  opt('-iframework', 'joined-or-separate', CPP_PATH | CLANG),
  opt('-cxx-isystem', 'joined-or-separate', CPP_PATH | CLANG),
  opt('-isystem-after', 'joined-or-separate', CPP_PATH | CLANG),
  opt('--embed-dir', 'equals', CPP_PATH),
  opt('-isysroot', 'joined-or-separate', AFFECTS_CPP | TAKES_PATH), // Apple: the SDK version lands in the object too
  opt('--sysroot', 'equals-or-separate', AFFECTS_CPP | TAKES_PATH),
  opt('-nostdinc', 'flag', CPP),
  opt('-nostdinc++', 'flag', CPP),
  opt('-nostdlibinc', 'flag', CPP | CLANG),
  opt('-nobuiltininc', 'flag', CPP | CLANG),
  opt('-undef', 'flag', CPP),
  opt('-trigraphs', 'flag', CPP),
  opt('-traditional-cpp', 'flag', CPP),
  opt('-remap', 'flag', CPP),
  opt('-fworking-directory', 'flag', CPP), // the cwd linemarker: preprocessed text carries it
  opt('-fno-working-directory', 'flag', CPP),
  opt('-fmacro-prefix-map', 'equals', CPP | MAPS_FILE_MACRO),
  opt('-std', 'equals', AFFECTS_CPP), // also changes the language itself
  opt('-ansi', 'flag', AFFECTS_CPP),
  opt('-pthread', 'flag', AFFECTS_CPP),
  opt('-traditional', 'flag', AFFECTS_CPP),
  opt('-stdlib', 'equals', AFFECTS_CPP | CLANG),
  opt('-P', 'flag', AFFECTS_CPP),
  opt('-C', 'flag', AFFECTS_CPP),
  opt('-CC', 'flag', AFFECTS_CPP),
  opt('-H', 'flag', AFFECTS_CPP),
  hard('-Wp,', 'joined', 'passes options straight to the preprocessor'),
  hard('-Xpreprocessor', 'separate', 'passes options straight to the preprocessor'),
  hard('-include-pch', 'joined-or-separate', 'precompiled headers are not cached'),
  hard('-fpch-preprocess', 'flag', 'precompiled headers are not cached'),
  hard('-ivfsoverlay', 'joined-or-separate', 'a virtual file system overlay'),

  // Dependency files (with -MD/-MMD; without them gcc ignores -MF/-MT/-MQ/-MP).
  opt('-MD', 'flag', 0, { effect: 'dep-md' }),
  opt('-MMD', 'flag', 0, { effect: 'dep-mmd' }),
  opt('-MF', 'joined-or-separate', TAKES_PATH, { effect: 'dep-file' }),
  opt('-MT', 'joined-or-separate', 0, { effect: 'dep-target' }),
  opt('-MQ', 'joined-or-separate', 0, { effect: 'dep-quoted-target' }),
  opt('-MP', 'flag', 0, { effect: 'dep-phony' }),
  hard('-MG', 'flag', 'needs -M or -MM (gcc 12 and clang 14 reject it beside -MD)'),
  hard('-MJ', 'joined-or-separate', 'writes a compilation database fragment'),

  // Linking: a compile ignores these.
  opt('-L', 'joined-or-separate', LINK_ONLY | TAKES_PATH),
  opt('-l', 'joined-or-separate', LINK_ONLY),
  opt('-Wl,', 'joined', LINK_ONLY),
  opt('-Xlinker', 'separate', LINK_ONLY),
  opt('-T', 'joined-or-separate', LINK_ONLY | TAKES_PATH),
  opt('-u', 'joined-or-separate', LINK_ONLY),
  opt('-z', 'joined-or-separate', LINK_ONLY),
  opt('-framework', 'separate', LINK_ONLY | CLANG),
  opt('-fuse-ld', 'equals', LINK_ONLY),
  // Link-mode flags stay key material: some targets' specs turn them into code generation flags.
  ...['-shared', '-static', '-static-pie', '-pie', '-no-pie', '-rdynamic', '-s', '-symbolic'].map((s) => opt(s, 'flag')),
  ...['-nostdlib', '-nostartfiles', '-nodefaultlibs', '-nolibc', '-static-libgcc', '-shared-libgcc', '-static-libstdc++'].map((s) => opt(s, 'flag')),
  ...['-static-libasan', '-static-libubsan', '-static-libtsan', '-static-liblsan', '-shared-libasan'].map((s) => opt(s, 'flag')),

  // Families: known, no argument, key material. Longer spellings below override them.
  opt('-O', 'joined'),
  opt('-W', 'joined'),
  opt('-f', 'joined'),
  opt('-m', 'joined'),
  opt('-g', 'joined', 0, { effect: 'debug' }),
  opt('-gz', 'joined'), // compression only: neither enables nor disables debug info
  // Modifiers that enable nothing by themselves (gcc 12 and clang 14, measured).
  ...['-gno-record-gcc-switches', '-gcolumn-info', '-gno-column-info', '-gstrict-dwarf', '-gno-strict-dwarf', '-gno-pubnames'].map((s) => opt(s, 'flag')),
  opt('-w', 'flag'),
  opt('-p', 'flag'),
  opt('-pg', 'flag'),
  opt('-pedantic', 'flag'),
  opt('-pedantic-errors', 'flag'),
  opt('-no-canonical-prefixes', 'flag'),
  opt('-Qn', 'flag'),
  opt('-Qy', 'flag'),
  opt('-Qunused-arguments', 'flag', CLANG),
  opt('-integrated-as', 'flag', CLANG),
  opt('-no-integrated-as', 'flag', CLANG),
  opt('--param', 'equals-or-separate'),
  opt('-march', 'equals', 0, { effect: 'cpu' }),
  opt('-mcpu', 'equals', 0, { effect: 'cpu' }),
  opt('-mtune', 'equals', 0, { effect: 'cpu' }),
  opt('-mllvm', 'separate', CLANG),
  opt('-fdiagnostics-format', 'equals'),
  // The object records the command line (clang: all of it, -o and colour included).
  ...['-frecord-gcc-switches', '-frecord-command-line', '-grecord-gcc-switches', '-grecord-command-line']
    .map((s) => opt(s, 'flag', 0, { effect: 'record-switches' })),

  // Colour: the daemon picks it for the caller's terminal; neither gcc 12 nor clang 14 record it.
  opt('-fdiagnostics-color', 'flag-or-equals', NOT_IN_KEY),
  opt('-fno-diagnostics-color', 'flag', NOT_IN_KEY),
  opt('-fcolor-diagnostics', 'flag', NOT_IN_KEY | CLANG),
  opt('-fno-color-diagnostics', 'flag', NOT_IN_KEY | CLANG),
  // Key material after all: gcc records it in DW_AT_producer with -g (-grecord-gcc-switches is on by default).
  opt('-fmessage-length', 'equals'),

  // The assembler.
  opt('-Wa,', 'joined', 0, { effect: 'assembler-args' }),
  opt('-Xassembler', 'separate', 0, { effect: 'assembler-args' }),

  // Targets and toolchains.
  opt('-target', 'separate', CLANG),
  opt('--target', 'equals', CLANG),
  opt('-arch', 'separate', CLANG, { effect: 'arch' }),
  opt('-B', 'joined-or-separate', TAKES_PATH, { effect: 'tool-prefix' }),
  opt('-gcc-toolchain', 'separate', AFFECTS_CPP | TAKES_PATH | CLANG),
  opt('--gcc-toolchain', 'equals', AFFECTS_CPP | TAKES_PATH | CLANG),
  opt('--gcc-install-dir', 'equals', AFFECTS_CPP | TAKES_PATH | CLANG),
  opt('-rtlib', 'equals', CLANG),
  opt('-unwindlib', 'equals', CLANG),
  opt('--no-default-config', 'flag', CLANG),
  opt('-Xclang', 'separate', CLANG, { effect: 'xclang' }),
  hard('-Xarch_', 'joined', 'per-architecture options'),
  hard('-Xanalyzer', 'separate', 'static analyzer options'),
  hard('-specs', 'equals-or-separate', 'a specs file can change anything the driver does'),
  hard('--specs', 'equals-or-separate', 'a specs file can change anything the driver does'),
  hard('-wrapper', 'separate', "runs the driver's subprocesses under another program"),
  hard('-fplugin', 'joined', 'loads a compiler plugin'),
  hard('-iplugindir', 'equals', 'loads compiler plugins'),
  hard('-resource-dir', 'equals-or-separate', 'another compiler resource directory'),
  hard('-working-directory', 'equals-or-separate', 'resolves paths against another directory'),
  hard('--config', 'equals-or-separate', 'reads a clang configuration file'),
  hard('-ObjC', 'flag', 'changes the language of every input'),
  hard('-ObjC++', 'flag', 'changes the language of every input'),

  // Debug information.
  opt('-gsplit-dwarf', 'flag', OUTPUT_PRODUCING, { effect: 'split-dwarf', produces: 'split-dwarf' }),
  opt('-fdebug-prefix-map', 'equals', MAPS_DEBUG_PATHS, { effect: 'prefix-map' }),
  opt('-ffile-prefix-map', 'equals', MAPS_DEBUG_PATHS | MAPS_FILE_MACRO, { effect: 'prefix-map' }),
  opt('-fdebug-compilation-dir', 'equals-or-separate', CLANG, { effect: 'compilation-dir' }),
  opt('-ffile-compilation-dir', 'equals', CLANG, { effect: 'compilation-dir' }),
  opt('-fcoverage-compilation-dir', 'equals', CLANG),
  opt('-fcoverage-prefix-map', 'equals', CLANG),
  hard('-gtoggle', 'flag', 'toggles debug info in a way not modelled'),
  hard('-gno-split-dwarf', 'flag', UNDOES_OUTPUT),
  hard('-gsplit-dwarf=', 'joined', 'split-dwarf mode: whether a .dwo is written is not modelled'),

  // Coverage and profiles.
  opt('--coverage', 'flag', OUTPUT_PRODUCING, { effect: 'profile-arcs', produces: 'coverage-notes' }),
  opt('-coverage', 'flag', OUTPUT_PRODUCING, { effect: 'profile-arcs', produces: 'coverage-notes' }),
  opt('-ftest-coverage', 'flag', OUTPUT_PRODUCING, { produces: 'coverage-notes' }),
  opt('-fstack-usage', 'flag', OUTPUT_PRODUCING, { produces: 'stack-usage' }),
  opt('-fprofile-arcs', 'flag', 0, { effect: 'profile-arcs' }),
  opt('-fprofile-generate', 'flag-or-equals', TAKES_PATH, { effect: 'profile-generate' }),
  opt('-fprofile-instr-generate', 'flag-or-equals', TAKES_PATH | CLANG, { effect: 'profile-generate' }),
  opt('-fcs-profile-generate', 'flag-or-equals', TAKES_PATH | CLANG, { effect: 'profile-generate' }),
  opt('-fprofile-use', 'flag-or-equals', TAKES_PATH | READS_INPUT, { effect: 'profile-use', reads: 'profile' }),
  opt('-fprofile-instr-use', 'flag-or-equals', TAKES_PATH | READS_INPUT | CLANG, { effect: 'profile-use', reads: 'profile' }),
  opt('-fprofile-sample-use', 'equals', TAKES_PATH | READS_INPUT | CLANG, { effect: 'profile-use', reads: 'profile' }),
  opt('-fprofile-abs-path', 'flag', 0, { effect: 'profile-abs-path' }),
  opt('-fprofile-dir', 'equals', TAKES_PATH),
  opt('-fprofile-update', 'equals'),
  opt('-fprofile-prefix-path', 'equals'),
  opt('-fprofile-prefix-map', 'equals'),
  ...['-fprofile-correction', '-fprofile-values', '-fprofile-reorder-functions', '-fprofile-partial-training', '-fprofile-sample-accurate'].map((s) => opt(s, 'flag')),
  ...['-fprofile-exclude-files', '-fprofile-filter-files', '-fprofile-reproducible'].map((s) => opt(s, 'equals')), // regexes and modes, not files
  hard('-fprofile-', 'joined', 'a profile option reprise does not model'),
  hard('-fauto-profile', 'flag-or-equals', 'reads profile data from a location not modelled'),
  hard('-fbranch-probabilities', 'flag', 'reads profile data from a location not modelled'),
  hard('-fno-test-coverage', 'flag', UNDOES_OUTPUT),
  hard('-fno-profile-arcs', 'flag', UNDOES_OUTPUT),
  hard('-fno-stack-usage', 'flag', UNDOES_OUTPUT),

  // Other files read.
  ...['-fsanitize-ignorelist', '-fsanitize-blacklist', '-fsanitize-system-ignorelist']
    .map((s) => opt(s, 'equals', TAKES_PATH | READS_INPUT, { reads: 'sanitizer-list' })),
  ...['-fsanitize-coverage-allowlist', '-fsanitize-coverage-ignorelist', '-fsanitize-coverage-whitelist', '-fsanitize-coverage-blocklist', '-fsanitize-coverage-blacklist']
    .map((s) => opt(s, 'equals', TAKES_PATH | READS_INPUT, { reads: 'sanitizer-list' })),
  hard('-fxray-attr-list', 'equals', READS_FILE),
  hard('-fxray-always-instrument', 'equals', READS_FILE),
  hard('-fxray-never-instrument', 'equals', READS_FILE),
  hard('-fthinlto-index', 'equals', READS_FILE),
  hard('-fembed-offload-object', 'equals', READS_FILE),
  hard('-fbuild-session-file', 'equals', READS_FILE),
  hard('-fbasic-block-sections', 'equals', 'may read a section list file'),
  hard('-fpass-plugin', 'equals', 'loads an LLVM pass plugin'),
  hard('-fpreprocessed', 'flag', 'changes whether the source is preprocessed'),
  hard('-fmodule', 'joined', 'modules read and write files reprise does not track'),
  hard('-fcxx-modules', 'flag', 'modules read and write files reprise does not track'),
  hard('-fimplicit-module-maps', 'flag', 'modules read and write files reprise does not track'),
  hard('-fprebuilt-module-path', 'equals', 'modules read and write files reprise does not track'),

  // Other files written.
  hard('-save-temps', 'flag-or-equals', WRITES_FILE),
  hard('--save-temps', 'flag-or-equals', WRITES_FILE),
  hard('-fdump-', 'joined', WRITES_FILE),
  hard('-d', 'joined', 'writes RTL dumps (or changes -E output)'),
  hard('-dumpbase', 'separate', 'renames auxiliary outputs'),
  hard('-dumpbase-ext', 'separate', 'renames auxiliary outputs'),
  hard('-dumpdir', 'separate', 'renames auxiliary outputs'),
  hard('-aux-info', 'separate', WRITES_FILE),
  hard('-frepo', 'flag', WRITES_FILE),
  hard('-fopt-info', 'joined', WRITES_FILE),
  hard('-fcallgraph-info', 'flag-or-equals', WRITES_FILE),
  hard('-fcompare-debug', 'joined', 'compiles twice and writes comparison dumps'),
  hard('-fdeps-', 'joined', WRITES_FILE),
  hard('-fdiagnostics-format=sarif-file', 'flag', WRITES_FILE),
  hard('-fdiagnostics-format=json-file', 'flag', WRITES_FILE),
  hard('-fdiagnostics-add-output', 'equals', WRITES_FILE),
  hard('-fdiagnostics-set-output', 'equals', WRITES_FILE),
  hard('-ftime-trace', 'flag-or-equals', WRITES_FILE),
  hard('-fsave-optimization-record', 'flag-or-equals', WRITES_FILE),
  hard('-foptimization-record-file', 'equals', WRITES_FILE),
  hard('-fproc-stat-report', 'flag-or-equals', WRITES_FILE),
  hard('-index-store-path', 'separate', WRITES_FILE),
  hard('--serialize-diagnostics', 'separate', WRITES_FILE),
  hard('-gen-cdb-fragment-path', 'separate', WRITES_FILE),
  hard('-gen-reproducer', 'flag-or-equals', WRITES_FILE),
  hard('--analyze', 'flag', WRITES_FILE),
];

const BY_SPELLING: ReadonlyMap<string, GccOptionSpec> = new Map(GCC_OPTIONS.map((o) => [o.spelling, o]));

/** The flag words of the option with this table spelling (0 for an operand or an unknown spelling). */
export function gccOptionFlags(spelling: string | undefined): number {
  return spelling === undefined ? 0 : (BY_SPELLING.get(spelling)?.flags ?? 0);
}

export interface GccOptionMatch {
  spec: GccOptionSpec;
  /** The value is the next word. */
  separate: boolean;
  /** The value inside this word, if any. */
  value: string | undefined;
  /** Where that value starts in the word. */
  offset: number;
}

/**
 * The table entry for one word: the longest spelling that is a prefix of the word and
 * whose form accepts it. `-MFdep.d` is -MF joined; `-MDx` matches nothing (-MD and -M
 * are flags); `-fprofile-use=p` is -fprofile-use; `-fprofile-list=x` falls back to the
 * too-hard `-fprofile-` family.
 */
export function findGccOption(word: string): GccOptionMatch | undefined {
  for (let len = word.length; len > 0; len--) {
    const spec = BY_SPELLING.get(word.slice(0, len));
    const match = spec && accept(spec, word);
    if (match) return match;
  }
  return undefined;
}

function accept(spec: GccOptionSpec, word: string): GccOptionMatch | undefined {
  const n = spec.spelling.length;
  const rest = word.slice(n);
  const none = { spec, separate: false, value: undefined, offset: n };
  const next = { spec, separate: true, value: undefined, offset: n };
  const joined = { spec, separate: false, value: rest, offset: n };
  const equals = rest.startsWith('=') ? { spec, separate: false, value: rest.slice(1), offset: n + 1 } : undefined;
  switch (spec.form) {
    case 'flag': return rest === '' ? none : undefined;
    case 'separate': return rest === '' ? next : undefined;
    case 'joined': return joined;
    case 'joined-or-separate': return rest === '' ? next : joined;
    case 'equals': return equals;
    case 'equals-or-separate': return rest === '' ? next : equals;
    case 'flag-or-equals': return rest === '' ? none : equals;
  }
}

/** Input languages by suffix, as the driver guesses them without -x. Anything else is a linker input. */
export const LANGUAGE_BY_SUFFIX: ReadonlyMap<string, string> = new Map([
  ...suffixes('c', '.c'),
  ...suffixes('cpp-output', '.i'),
  ...suffixes('c-header', '.h'),
  ...suffixes('c++', '.cc', '.cp', '.cxx', '.cpp', '.CPP', '.c++', '.C'),
  ...suffixes('c++-cpp-output', '.ii'),
  ...suffixes('c++-header', '.hh', '.H', '.hp', '.hxx', '.hpp', '.HPP', '.h++', '.tcc'),
  ...suffixes('objective-c', '.m'),
  ...suffixes('objective-c-cpp-output', '.mi'),
  ...suffixes('objective-c++', '.mm', '.M'),
  ...suffixes('objective-c++-cpp-output', '.mii'),
  ...suffixes('assembler', '.s'),
  ...suffixes('assembler-with-cpp', '.S', '.sx'),
  ...suffixes('c++-module', '.cppm', '.ccm', '.cxxm', '.c++m', '.ixx'),
  ...suffixes('cuda', '.cu'),
  ...suffixes('hip', '.hip'),
  ...suffixes('cl', '.cl'),
  ...suffixes('ir', '.ll', '.bc'),
  ...suffixes('f95', '.f', '.for', '.ftn', '.F', '.FOR', '.fpp', '.FPP', '.FTN', '.f90', '.f95', '.f03', '.f08', '.F90', '.F95', '.F03', '.F08'),
  ...suffixes('go', '.go'),
  ...suffixes('d', '.d', '.di', '.dd'),
  ...suffixes('ada', '.ads', '.adb'),
]);

function suffixes(language: string, ...list: string[]): [string, string][] {
  return list.map((s) => [s, language]);
}

/** g++, c++ and clang++ read these as their C++ counterparts (a bare `.c` is C++ to them). */
export const CXX_DRIVER_LANGUAGE: ReadonlyMap<string, string> = new Map([
  ['c', 'c++'],
  ['cpp-output', 'c++-cpp-output'],
  ['c-header', 'c++-header'],
]);

/** -Xclang values we understand; anything else given to cc1 directly is too hard. */
export const XCLANG_ALLOWED: ReadonlyMap<string, 'key' | 'ignored'> = new Map([
  ['-fcolor-diagnostics', 'ignored'],
  ['-fno-color-diagnostics', 'ignored'],
  ['-fno-pch-timestamp', 'key'],
  ['-disable-O0-optnone', 'key'],
  ['-disable-llvm-passes', 'key'],
  ['-disable-llvm-verifier', 'key'],
]);

/** Assembler options (after -Wa, or -Xassembler) that read or write files we do not track. */
export const ASSEMBLER_TOO_HARD_PREFIXES: readonly string[] = [
  '-a', // listings: -a, -adhln=file
  '--MD', // a dependency file
  '-MD',
  '-o',
  '-I', // .include search path
  '@',
];
