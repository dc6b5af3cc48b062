// A gcc-like compile as a REAPI action (issue 17), in one of two forms.
// The toolchain travels in the action (the default): the input root
// mirrors the host's paths (the driver at usr/bin/gcc, cc1 at
// usr/lib/gcc/x86_64-linux-gnu/12/cc1, the headers at usr/include/...), the Command runs in
// the mirrored cwd and starts the driver by its relative path (../../usr/bin/gcc), so gcc
// relocates itself (make_relative_prefix from argv[0]) and finds cc1, its own headers and the
// system headers under the input root, never on the executor's disk. `as` is found through
// PATH, which names the mirrored directories only.
// The toolchain is in the executor's image (`toolchain = "image"`): the root holds only what
// lies outside the toolchain's files and the compiler's system include directories, and the
// Command starts the driver by its host path with the image's /bin/sh; the image answers for
// everything under those directories. docs/remote-execution.md has the details.
import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, posix, resolve } from 'node:path';
import { parseDepfile } from '../../adapters/gcc/parse-depfile.js';
import type { DigestAlgorithm } from '../../hashing/types.js';
import { TRACE_PROPERTY } from '../../reapi/platform-properties.js';
import { buildInputRoot, InputRootError } from './build-input-root.js';
import { buildRemoteAction } from './build-remote-action.js';
import { fromExecutor } from './executor-own-files.js';
import { mirrorHostFiles, mirroredPath, pathFromWorkingDir, type DigestMemo } from './mirror-host-files.js';
import { underAny } from './under-any.js';
import type { RemoteAction } from './types.js';
import type { ToolchainSource } from '../../config/executor-spec.js';

export interface GccActionSpec {
  /** The driver's absolute path (identify-gcc's toolPath). */
  toolPath: string;
  /** The arguments after argv[0], as the compile runs them. */
  args: string[];
  cwd: string;
  /** The environment the compile's key covers; PATH and LD_LIBRARY_PATH are the action's own. */
  env: ReadonlyMap<string, string>;
  /** Every file the compile reads (source, headers: gcc -M's list), absolute or relative to cwd. */
  inputs: readonly string[];
  /** toolchain-files.ts's list for the driver. */
  toolchain: readonly string[];
  /** The programs the driver runs (identify-gcc's parts: cc1, as...), absolute. */
  programs: readonly string[];
  /** The files the compile writes, absolute or relative to cwd. */
  outputs: readonly string[];
  algorithm: DigestAlgorithm;
  timeoutMs?: number;
  /** Shared between actions: each unchanged host file is hashed once. */
  memo?: DigestMemo;
  platform?: ReadonlyArray<{ name: string; value: string }>;
  /** The POSIX shell that starts the driver (it travels in the action too); default /bin/sh's target. Unused for an image. */
  shell?: string;
  /** Where the toolchain comes from (default `action`: it travels in the root). */
  toolchainIn?: ToolchainSource;
  /** The compiler's own `#include <...>` directories (system-include-dirs.ts): with `image`, the image's, like the toolchain's files. */
  systemDirs?: readonly string[];
  /** Files also sent when they are still regular files (a guess's: input-guesses.ts), absolute. */
  maybeInputs?: readonly string[];
  /** Host directories the root holds even where no input lies in them (the driver's library directories, which it asks about). */
  dirs?: readonly string[];
  /** Ask the executor for the compile's lookup trace (`reprise serve --execute` gives it; LOOKUP_TRACE). */
  traceLookups?: boolean;
}

export interface GccAction {
  action: RemoteAction;
  /** Output paths as the Command names them, in the order of spec.outputs. */
  outputFiles: string[];
  /**
   * An extra output (the Command's name for it): the executor's absolute path of the input
   * root, which gcc writes into depfiles and messages; fixRemotePaths maps it back to "/".
   */
  rootFile: string;
  /**
   * An extra output (the Command's name for it): a depfile of everything the compile read,
   * added when the compile asks for none of its own (-M options), for readsOutsideRoot.
   */
  readsFile?: string;
  /**
   * With the toolchain in the image: the host paths (files and directories, normalised) the
   * image answers for, outside the root. The compile may read under them and nowhere else
   * outside the root (readsOutsideRoot).
   */
  imagePaths?: readonly string[];
  /** An extra output (the Command's name for it) with traceLookups: the compile's lookup trace, paths under the executor's root. */
  traceFile?: string;
  /** Each file of the input root (its path in the root) with its SHA-256 hash, as sent. */
  sent: ReadonlyMap<string, string>;
}

/**
 * The platform property by which `reprise serve --execute` is asked for the lookup trace of a
 * command (shims/lookup-trace.c preloaded), and the output file it goes to. Servers that do not
 * know the property ignore it or refuse the action; either way no trace comes back.
 */
export const LOOKUP_TRACE = { name: TRACE_PROPERTY, file: '.reprise-remote-trace' } as const;

const SHARED_LIBRARY = /\.so(\.\d+)*$/;
/** The start script's note of the executor's root, in the working directory. */
const ROOT_FILE = '.reprise-remote-root';
/** The depfile added to prove what the compile read. */
const READS_FILE = '.reprise-remote-reads.d';
/** Stands for the executor's absolute path of the input root in the Command's arguments; the start script puts the path in. */
const ROOT_MARK = '@reprise-root@';
/** The files the action adds in the working directory besides the compile's own outputs. */
export const ACTION_FILES: readonly string[] = [ROOT_FILE, READS_FILE, LOOKUP_TRACE.file];
/** Options whose joined value is a path. */
const JOINED_PATH_OPTIONS = ['-I', '-iquote', '-isystem', '-idirafter', '-include', '-imacros', '-iprefix', '-isysroot', '--sysroot=', '-B', '-L', '-o', '-MF', '-specs='];

type ToolchainSpec = Pick<GccActionSpec, 'toolPath' | 'programs' | 'toolchain' | 'shell'>;

/** The host paths of a toolchain that travels in the action (the shell, the programs, the toolchain's files and directories), and which walked files to keep. */
function toolchainPaths(spec: ToolchainSpec): { shell: string; paths: string[]; keep: (path: string, isExecutable: boolean) => boolean; libraryDirs: Set<string> } {
  const programs = new Set([spec.toolPath, ...spec.programs]);
  const shell = spec.shell ?? realpathSync('/bin/sh');
  const toolchain = spec.toolchain.filter((p) => !fromExecutor(p));
  const libraryDirs = new Set(toolchain.filter((p) => SHARED_LIBRARY.test(basename(p))).map((p) => dirname(p)));
  // In the compiler's private directories: its headers and data, the programs it was identified
  // with, and lto-wrapper (the driver looks for it); not other languages' compilers, nor what
  // only a link reads (crt*.o, static and shared runtime libraries, the LTO plugin), nor
  // plugin headers.
  const keep = (path: string, isExecutable: boolean): boolean =>
    isExecutable && !SHARED_LIBRARY.test(basename(path))
      ? programs.has(path) || basename(path) === 'lto-wrapper'
      : !/\.(a|o)$/.test(path) && !SHARED_LIBRARY.test(basename(path)) && !/\/plugin\//.test(path);
  return { shell, paths: [shell, ...programs, ...toolchain], keep, libraryDirs };
}

/**
 * Hashes a toolchain's files into `memo` ahead of its first action, once per driver: a call can
 * start this beside its pre-pass, so the first actions of a build do not wait for hundreds of
 * files to be read after it. Only for a toolchain that travels in the action; a file changed
 * since is hashed again when an action is built.
 */
export async function warmGccToolchain(spec: ToolchainSpec & { algorithm: DigestAlgorithm; memo: DigestMemo }): Promise<void> {
  let drivers = warmed.get(spec.memo);
  if (!drivers) warmed.set(spec.memo, (drivers = new Set()));
  if (drivers.has(spec.toolPath)) return;
  drivers.add(spec.toolPath);
  const t = toolchainPaths(spec);
  await mirrorHostFiles(t.paths, { algorithm: spec.algorithm, keep: t.keep, memo: spec.memo });
}

const warmed = new WeakMap<DigestMemo, Set<string>>();

export async function buildGccAction(spec: GccActionSpec): Promise<GccAction> {
  const abs = (p: string): string => resolve(spec.cwd, p);
  const programs = new Set([spec.toolPath, ...spec.programs]);
  const image = spec.toolchainIn === 'image' ? imagePathsOf(spec) : undefined;
  const inImage = (p: string): boolean => image !== undefined && underAny(resolve(p), image);
  let files;
  let shell: string;
  let libraryDirs = new Set<string>();
  if (image) {
    // Only what the image does not answer for: sources, the project's headers, what the lookups found present outside it.
    files = await mirrorHostFiles(spec.inputs.map(abs).filter((p) => !inImage(p)), { algorithm: spec.algorithm, ...(spec.memo ? { memo: spec.memo } : {}) });
    shell = '/bin/sh';
  } else {
    const t = toolchainPaths(spec);
    shell = t.shell;
    libraryDirs = t.libraryDirs;
    const maybe = new Set(spec.maybeInputs ?? []);
    files = await mirrorHostFiles([...t.paths, ...spec.inputs.map(abs), ...maybe], { algorithm: spec.algorithm, keep: t.keep, optional: maybe, ...(spec.memo ? { memo: spec.memo } : {}) });
  }
  const inputRoot = buildInputRoot(files, spec.algorithm, (spec.dirs ?? []).map((d) => mirroredPath(abs(d))));

  // The image's paths stay absolute (they name its disk); the rest are the root's, relative.
  const fromCwd = (hostPath: string): string => (inImage(hostPath) ? hostPath : pathFromWorkingDir(hostPath, spec.cwd));
  // Absolute paths in arguments name the root's copy by its absolute path there, which the
  // start script fills in (ROOT_MARK), so that gcc spells them as the host's once the script's
  // prefix map is applied: made relative, they showed relative in __FILE__ and debug information
  // (CMake passes every source and -I directory absolute), and the object was not bare gcc's.
  const marked = spec.args.find((a) => a.includes(ROOT_MARK));
  if (marked !== undefined) throw new InputRootError(`an argument holds ${ROOT_MARK}, which the action uses itself: ${marked}`);
  const fromRoot = (hostPath: string): string => (inImage(hostPath) ? hostPath : `${ROOT_MARK}${hostPath}`);
  const args = spec.args.map((a) => rewriteArg(a, fromRoot));
  const env = new Map([...spec.env].filter(([k]) => k !== 'PATH' && k !== 'LD_LIBRARY_PATH'));
  // The directories of the driver's programs (`as`): the image's own, or their mirrored places in the root.
  env.set('PATH', [...new Set([...programs].map((p) => (image ? dirname(p) : fromCwd(dirname(p)))))].join(':'));
  if (libraryDirs.size > 0) env.set('LD_LIBRARY_PATH', [...libraryDirs].map(fromCwd).join(':'));
  const outputFiles = spec.outputs.map((o) => pathFromWorkingDir(abs(o), spec.cwd));
  const clash = ACTION_FILES.find((f) => outputFiles.includes(f));
  if (clash !== undefined) throw new InputRootError(`${clash} is an output of the compile itself`);
  const traceFile = spec.traceLookups ? LOOKUP_TRACE.file : undefined;
  // -MD -MF changes no object (not even with -g): a compile without -M options of its own lists its reads in one more output.
  const readsFile = spec.args.some((a) => a.startsWith('-M') || a.startsWith('-Wp,-M')) ? undefined : READS_FILE;
  if (readsFile) args.push('-MD', '-MF', readsFile);
  // From the root, the relocated driver searches the root's system directories (--sysroot); from the image, its own.
  const driver = image ? [spec.toolPath] : [fromCwd(spec.toolPath), `--sysroot=${fromCwd('/')}`];
  const action = buildRemoteAction(
    inputRoot,
    {
      arguments: [image ? shell : fromCwd(shell), '-c', startScript(spec.cwd, spec.args), ...driver, ...args],
      env,
      outputFiles: [...outputFiles, ROOT_FILE, ...(readsFile ? [readsFile] : []), ...(traceFile ? [traceFile] : [])],
      workingDirectory: mirroredPath(spec.cwd),
      platform: [...(spec.platform ?? defaultPlatform()), ...(traceFile ? [{ name: LOOKUP_TRACE.name, value: traceFile }] : [])],
    },
    { algorithm: spec.algorithm, ...(spec.timeoutMs !== undefined ? { timeoutMs: spec.timeoutMs } : {}) },
  );
  const sent = new Map(files.map((f) => [f.path, f.digest.hash]));
  return { action, outputFiles, rootFile: ROOT_FILE, ...(readsFile ? { readsFile } : {}), ...(image ? { imagePaths: image } : {}), ...(traceFile ? { traceFile } : {}), sent };
}

/** What an image answers for: the toolchain's files and directories, the driver's programs and the compiler's system include directories. */
function imagePathsOf(spec: GccActionSpec): string[] {
  return [...new Set([spec.toolPath, ...spec.programs, ...spec.toolchain, ...(spec.systemDirs ?? [])].map((p) => resolve(spec.cwd, p)))];
}

/**
 * The shell script that starts the driver ($0, with the arguments after it). The executor's
 * directory is known only when the action runs, and gcc writes absolute paths under it into
 * debug information and __FILE__ (the working directory, the relocated headers): the script
 * finds the input root from $PWD and maps it back to "/" with -ffile-prefix-map, so those
 * paths read as on the host. The compile's own prefix maps of host directories are repeated
 * for their mirrored places, after that one (gcc tries the last map given first).
 */
function startScript(cwd: string, args: readonly string[]): string {
  const q = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
  const maps: string[] = [`"-ffile-prefix-map=$root/=/"`];
  for (const a of args) {
    const m = /^(-f(?:file|debug|macro|profile)-prefix-map=)(\/[^=]*)=(.*)$/.exec(a);
    if (m) maps.push(`${q(m[1]!)}"$root/"${q(`${mirroredPath(m[2]!)}${m[2]!.endsWith('/') && m[2] !== '/' ? '/' : ''}=${m[3]!}`)}`);
  }
  const rel = mirroredPath(cwd);
  const root = rel === '' ? 'root=$PWD' : `root=\${PWD%${q(`/${rel}`)}}`;
  // Each argument's ROOT_MARK becomes the root's absolute path (one per argument: one path in each).
  const fill = `for a do shift; case $a in *${ROOT_MARK}*) a=\${a%%${ROOT_MARK}*}$root\${a#*${ROOT_MARK}};; esac; set -- "$@" "$a"; done`;
  return `${root}; printf %s "$root" > ${ROOT_FILE}; ${fill}; exec "$0" "$@" ${maps.join(' ')}`;
}

/** An absolute path argument (alone, or joined to an option that takes a path) made the root's (`place`). */
function rewriteArg(arg: string, place: (p: string) => string): string {
  if (isAbsolute(arg)) return arg.startsWith('/dev/') ? arg : place(arg);
  for (const opt of JOINED_PATH_OPTIONS) {
    if (arg.startsWith(opt) && isAbsolute(arg.slice(opt.length))) {
      const path = arg.slice(opt.length);
      return path.startsWith('/dev/') ? arg : opt + place(path);
    }
  }
  return arg;
}

/** REAPI's standard platform properties for this machine (an executor should match them). */
export function defaultPlatform(): Array<{ name: string; value: string }> {
  const isa = process.arch === 'x64' ? 'x86-64' : process.arch === 'arm64' ? 'aarch64' : process.arch;
  return [
    { name: 'OSFamily', value: process.platform },
    { name: 'ISA', value: isa },
  ];
}

/**
 * Text the compile wrote on the executor (a depfile, its messages) with the executor's root
 * mapped back to "/": "/w/build-1/usr/include/stdio.h" reads "/usr/include/stdio.h" again, as
 * on the host. `root` is the rootFile output. Make-quoted paths (spaces as "\\ ") are mapped too.
 */
export function fixRemotePaths(text: Buffer, root: string): Buffer {
  if (!root.startsWith('/') || root === '/') return text;
  let out = text.toString('latin1');
  for (const form of new Set([root, root.replaceAll(' ', '\\ ')])) out = out.split(`${form}/`).join('/');
  return Buffer.from(out, 'latin1');
}

/**
 * The first file a depfile written on the executor names outside the input root, or
 * undefined: an absolute path not under `root`, or a relative one whose `..` climbs out of it
 * from the working directory. Such a read came from the executor's own disk, which the key
 * does not cover (an absolute #include the argument rewriting cannot see). `image`: the paths
 * an image answers for (GccAction.imagePaths), where absolute reads are the toolchain's.
 */
export function readsOutsideRoot(depfile: Buffer, root: string, cwd: string, image: readonly string[] = []): string | undefined {
  if (!root.startsWith('/')) return 'the executor did not say where its root is';
  const base = posix.join(root, mirroredPath(cwd));
  for (const dep of parseDepfile(depfile.toString('utf8'))) {
    const at = posix.resolve(base, dep);
    if (at === root || at.startsWith(`${root}/`)) continue;
    if (isAbsolute(dep) && underAny(posix.normalize(dep), image)) continue;
    return dep;
  }
  return undefined;
}
