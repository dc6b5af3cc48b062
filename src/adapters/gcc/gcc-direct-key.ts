import { KeyBuilder, type BuiltKey } from '../../keying/key-builder.js';
import type { DigestAlgorithm } from '../../hashing/types.js';
import type { KeyRebase } from '../../pipeline/rebase-key-paths.js';
import type { CompileJob } from '../../pipeline/types.js';
import type { ToolIdentity } from './identify-gcc.js';

/**
 * Bumped whenever the list below changes, so old entries can never match new rules; also
 * when entries stored under the old rules may be wrong (8: a `__FILE__` from a `-D` value or
 * a pasted token could leave an entry shared between checkouts; 9: LD_LIBRARY_PATH).
 */
export const GCC_KEY_SALT = 'reprise-gcc-key-9';

/**
 * Environment variables that change what gcc or clang produce (or where they look).
 * Mirrored in docs/trust-model.md.
 */
export const GCC_KEY_ENV = [
  'CPATH', 'C_INCLUDE_PATH', 'CPLUS_INCLUDE_PATH', 'OBJC_INCLUDE_PATH', 'OBJCPLUS_INCLUDE_PATH',
  'SOURCE_DATE_EPOCH', 'GCC_EXEC_PREFIX', 'COMPILER_PATH', 'GCC_COMPARE_DEBUG',
  'LANG', 'LC_ALL', 'LC_MESSAGES', 'LC_CTYPE', 'LANGUAGE', 'GCC_COLORS', 'GCC_URLS', 'TERM_URLS',
  'CLANG_CONFIG_FILE_SYSTEM_DIR', 'CLANG_CONFIG_FILE_USER_DIR', 'MACOSX_DEPLOYMENT_TARGET',
  // Read by the compiles themselves (found by tracing them, docs/trust-model.md "Traced fills"):
  // fix-it output in diagnostics, prefix translation of include paths, assembler options for
  // LTO, clang's argument overrides and side outputs; DEPENDENCIES_OUTPUT and
  // SUNPRO_DEPENDENCIES make a compile uncacheable when set, and are keyed unset here.
  'GCC_EXTRA_DIAGNOSTIC_OUTPUT', 'GCC_ROOT', 'G++_ROOT', 'BINUTILS_ROOT', 'COLLECT_AS_OPTIONS', 'DEPENDENCIES_OUTPUT', 'SUNPRO_DEPENDENCIES',
  'CCC_OVERRIDE_OPTIONS', 'CC_LOG_DIAGNOSTICS', 'CC_PRINT_HEADERS', 'CC_PRINT_OPTIONS', 'CC_PRINT_PROC_STAT', 'FORCE_CLANG_DIAGNOSTICS_CRASH', 'ROCM_PATH',
  'GNUTARGET', // binutils' default object format (as, objcopy)
  // Where the dynamic loader finds the libraries cc1 and as load (libisl, libmpfr, libbfd, ...):
  // read by the loader itself, so no trace shows it. A user's LD_PRELOAD is not stored at all
  // (loader-env, gcc-adapter.ts).
  'LD_LIBRARY_PATH',
  'bar', // LLVM 14 looks this one up at start-up (a leftover in libLLVM); keyed rather than guessed harmless
] as const;

/**
 * Variables a gcc or clang compile reads that cannot change its outputs: the key holds the
 * toolchain's programs by content (PATH only finds them), the working directory when the
 * outputs embed it (PWD), the terminal's colour through the arguments the daemon adds
 * (TERM); temporary directories are private to each run; LIBRARY_PATH, LPATH and the make
 * jobserver (MAKEFLAGS) matter only to linking. LD_PRELOAD and REPRISE_TRACE are the tracer's (a
 * caller's own LD_PRELOAD makes the call uncacheable before any fill: loader-env).
 */
export const GCC_UNKEYED_ENV = ['PATH', 'PWD', 'TERM', 'TMPDIR', 'TMP', 'TEMP', 'LIBRARY_PATH', 'LPATH', 'MAKEFLAGS', 'LD_PRELOAD', 'REPRISE_TRACE'] as const;

export interface DirectKeyInput {
  algorithm: DigestAlgorithm;
  tool: ToolIdentity;
  job: CompileJob;
  /** Arguments the daemon adds for the caller's terminal (colour, message length). */
  terminalArgs: string[];
  cwd: string;
  env: ReadonlyMap<string, string>;
  sourceDigest: string;
  /** The job's key arguments, source and extra input paths, with paths under the base dir spelled from $PWD. */
  rebase: KeyRebase;
  /** Digests of the files the key must cover that no depfile names (profiles), parallel to job.extraInputs. */
  extraDigests: string[];
  /** The host CPU's description, for -march=native. */
  hostCpu: string | undefined;
}

/**
 * The direct-mode key: everything known before reading any header. Its inputs:
 *  1. the salt above;
 *  2. the content digests of the driver and of the programs it runs (cc1, cc1plus, as);
 *  3. the language;
 *  4. every key argument, in order, and the terminal arguments. Paths are as given, except
 *     absolute ones under the base dir whose spelling cannot reach an output (gccKeyPaths):
 *     those enter marked, spelled relative to $PWD (rebaseKeyPaths);
 *  5. the working directory, when the outputs embed it (debug info, coverage);
 *  6. each variable of GCC_KEY_ENV, set or unset;
 *  7. the source path (as in 4) and its content digest;
 *  8. extra input files (a -fprofile-use profile), paths as in 4, with their digests;
 *  9. the host CPU's model and feature flags, with -march=native and kin.
 * Headers, and the paths that must stay absent, are checked through the manifest that
 * this key finds; they form the result key (docs/trust-model.md).
 */
export function gccDirectKey(k: DirectKeyInput): BuiltKey {
  const b = new KeyBuilder(k.algorithm).add('salt', GCC_KEY_SALT);
  for (const p of k.tool.parts) b.add(`tool:${p.name}`, p.digest, `${p.path} ${p.digest}`);
  b.add('language', k.job.language);
  k.rebase.args.forEach((a, i) => b.add('arg', a, k.rebase.display[i]));
  for (const a of k.terminalArgs) b.add('terminal-arg', a);
  if (k.job.cwdInKey) b.add('cwd', k.cwd);
  for (const name of GCC_KEY_ENV) {
    const v = k.env.get(name);
    b.add(`env:${name}`, v === undefined ? '\0unset' : `=${v}`, v === undefined ? '(unset)' : v);
  }
  const source = k.rebase.source;
  b.add('source', `${source.key}\0${k.sourceDigest}`, `${source.display} ${k.sourceDigest}`);
  k.rebase.extraInputs.forEach((x, i) => b.add('extra-input', `${x.key}\0${k.extraDigests[i]}`, `${x.display} ${k.extraDigests[i]}`));
  if (k.hostCpu !== undefined) b.add('host-cpu', k.hostCpu);
  return b.finish();
}

/**
 * The result key: the direct key plus the exact input set, absent and present paths of one
 * compile (paths in stored form, so identical files at identical places relative to the
 * working directory give one key), the directories when the entry is bound to them, and
 * the candidates that are directories (none for most compiles, whose keys stay as they were).
 */
export function gccResultKey(algorithm: DigestAlgorithm, directKey: string, inputs: Array<{ path: string; digest: string }>, absent: string[], present: string[], anchor?: { cwd: string; pwd: string }, notFiles: readonly string[] = []): string {
  const b = new KeyBuilder(algorithm).add('direct', directKey);
  if (anchor) b.add('anchor', `${anchor.cwd}\0${anchor.pwd}`);
  for (const i of inputs) b.add('input', `${i.path}\0${i.digest}`);
  for (const a of absent) b.add('absent', a);
  for (const a of present) b.add('present', a);
  for (const d of notFiles) b.add('not-file', d);
  return b.finish().key;
}
