/** A cacheable single-source compile, as the pipeline needs it from an adapter. */
export interface CompileJob {
  /** The -x language the preprocessor runs with (c, c++, assembler-with-cpp, ...). */
  language: string;
  /** The source as given on the command line. */
  source: string;
  /** Files the compile writes besides the depfile, by role (object, dwo, gcno, su), paths as given. */
  outputs: Array<{ role: string; path: string }>;
  /** The depfile the caller asked for, if any. */
  depfile?: { path: string };
  /**
   * Set when the caller's depfile cannot list every input (-MMD leaves out system headers):
   * the arguments of a dependency-only pre-pass (no -c, -o or depfile options), to which
   * the pipeline adds `-M -MF FILE`.
   */
  depScanArgs?: string[];
  /** Arguments after argv[0], as the compiler runs them. */
  runArgs: string[];
  /** Arguments that decide the outputs (colour and the like removed). */
  keyArgs: string[];
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
