/** A cacheable single-source compile, as the pipeline needs it from an adapter. */
export interface CompileJob {
  /** The -x language the preprocessor runs with (c, c++, assembler-with-cpp, ...). */
  language: string;
  /** The source as given on the command line. */
  source: string;
  /** Files the compile writes besides the depfile, by role (object, dwo, gcno, su), paths as given. */
  outputs: Array<{ role: string; path: string }>;
  /** The depfile the caller asked for, if any, with its targets as the compiler writes them (make-quoted where it quotes). */
  depfile?: { path: string; targets: DepTarget[] };
  /**
   * Set when the caller's depfile cannot list every input (-MMD leaves out system headers):
   * the arguments of a dependency-only pre-pass (no -c, -o or depfile options), to which
   * the pipeline adds `-M -MF FILE`.
   */
  depScanArgs?: string[];
  /** The arguments of a dependency-only pre-pass for any compile (the sandbox needs the inputs before it runs). */
  scanArgs: string[];
  /**
   * How the compile itself can list every file it reads, so a fill may skip the pre-pass:
   * 'caller' when the caller's depfile does (-MD), 'added' when `-MD -MF FILE` may be added
   * without changing any output. Undefined otherwise (-MMD; an object that records its
   * command line).
   */
  listsInputs?: 'caller' | 'added';
  /** Arguments after argv[0], as the compiler runs them. */
  runArgs: string[];
  /** Arguments that decide the outputs (colour and the like removed). */
  keyArgs: string[];
  /** The paths in keyArgs that may be keyed relative to $PWD when they lie under the base dir. */
  keyPaths: KeyPath[];
  /** The outputs embed the working directory (debug info, coverage). */
  cwdInKey: boolean;
  /** Include search directories from the arguments, in search order, as given. */
  includeDirs: { quote: string[]; bracket: string[]; system: string[]; after: string[] };
  /** Arguments that move the compiler's own include directories (--sysroot, -nostdinc, -m32, -target ...). */
  systemDirArgs: string[];
  /** Files read that no depfile lists (a profile for -fprofile-use): hashed into the key. */
  extraInputs: string[];
  /** -march=native and kin: the host CPU is a key input. */
  nativeCpu: boolean;
}

/** One depfile target: -MT verbatim, -MQ and the default make-quoted (`quoted`). */
export interface DepTarget {
  make: string;
  quoted: boolean;
}

/**
 * A path inside one key argument, keyArgs[arg].slice(start, end), whose absolute spelling
 * cannot reach the outputs: the adapter leaves out paths that debug info would record
 * (no debug prefix map covers them) and every path when the command line is recorded.
 */
export interface KeyPath {
  arg: number;
  start: number;
  end: number;
  /** What it names. Headers are found through sources, include files and include dirs. */
  kind: 'source' | 'include-file' | 'include-dir' | 'output' | 'depfile' | 'depfile-target' | 'prefix-map' | 'extra-input';
  /** `__FILE__` in a file found through it expands to its spelling (no macro prefix map covers it). */
  fileMacro: boolean;
}
