// A rustc compile as a REAPI action whose input root stands at the host's own paths
// (docs/remote-execution.md, "rustc"): rustc records absolute paths and any path remapping
// under its crate hashes, so only a compile that runs at the host's paths gives bare rustc's
// bytes. The Command asks the executor for that with the platform property
// `reprise-root-at=/` (`reprise serve --execute` binds the root's top-level directories at
// their names); its start script checks that the working directory is the host's and exits
// with a reserved code otherwise, so an executor that ignores the property fails the action
// instead of producing other bytes. With the toolchain in the executor's image
// (`toolchain = "image"`), rustc, its libraries and lib/rustlib stay out of the root: the image
// has them at the host's paths, and only the project's inputs travel.
import { resolve } from 'node:path';
import type { DigestAlgorithm } from '../../hashing/types.js';
import { buildInputRoot, InputRootError } from './build-input-root.js';
import { buildRemoteAction } from './build-remote-action.js';
import { defaultPlatform } from './build-gcc-action.js';
import { mirrorHostFiles, pathFromWorkingDir, type DigestMemo } from './mirror-host-files.js';
import type { RemoteAction } from './types.js';
import { underAny } from './under-any.js';
import type { ToolchainSource } from '../../config/executor-spec.js';

/** The platform property (and value) that asks for the input root at `/` (run-sandboxed-command.ts reads it). */
export const ROOT_AT = { name: 'reprise-root-at', value: '/' } as const;
/** The start script's exit code when the working directory is not the host's: the executor ignored ROOT_AT. */
export const WRONG_ROOT_EXIT = 213;
/** Top-level directories the executor's sandbox keeps for itself (the system, /tmp, /proc, /dev): an input root at `/` cannot hold them. */
export const EXECUTOR_OWN_DIRS: ReadonlySet<string> = new Set(['usr', 'bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32', 'etc', 'tmp', 'proc', 'dev', 'sys']);

export interface RustcActionSpec {
  /** The real rustc (the identity's, not a rustup proxy), absolute. */
  rustc: string;
  /** Its sysroot (`--print sysroot`). */
  sysroot: string;
  /** The arguments after argv[0], as the compile runs them (host paths: they mean the same there). */
  args: string[];
  cwd: string;
  /** Exactly the variables the compile reads that are set (dep-info's env-dep, the traced reads). */
  env: ReadonlyMap<string, string>;
  /** The toolchain listing (RustContext.toolchain): files and directories. Those under the executor's own directories are its system's (glibc, the loader). */
  toolchain: readonly string[];
  /** Every other file the compile may read or find, absolute. */
  inputs: readonly string[];
  /** The files it writes, absolute or relative to cwd. */
  outputs: readonly string[];
  algorithm: DigestAlgorithm;
  memo?: DigestMemo;
  /** Extra platform properties (the executor's table), after OSFamily and ISA. */
  platform?: ReadonlyArray<{ name: string; value: string }>;
  /** Where the toolchain comes from (default `action`: rustc and its sysroot travel in the root). */
  toolchainIn?: ToolchainSource;
}

export interface RustcAction {
  action: RemoteAction;
  /** Output paths as the Command names them (relative to the working directory), in spec.outputs order. */
  outputFiles: string[];
  /** Every host path the root holds: what the compile's dep-info may name. */
  held: ReadonlySet<string>;
  /** With the toolchain in the image: the host paths it answers for (rustc, its libraries, lib/rustlib), where dep-info may name files too. */
  imagePaths?: readonly string[];
}

/** The top-level directory of an absolute path ("/root/.rustup/x" → "root"). */
export function topDir(path: string): string {
  return resolve(path).split('/')[1] ?? '';
}

/** Why a path cannot be in an input root at `/`, or undefined. */
export function notPlaceable(path: string): string | undefined {
  const top = topDir(path);
  return top === '' || EXECUTOR_OWN_DIRS.has(top) ? `${path} is under /${top}, which the executor keeps for itself` : undefined;
}

export async function buildRustcAction(spec: RustcActionSpec): Promise<RustcAction> {
  const abs = (p: string): string => resolve(spec.cwd, p);
  const sysroot = resolve(spec.sysroot);
  // From an image: rustc, its libraries and lib/rustlib are the image's (by their host paths), and only the other inputs travel.
  const image = spec.toolchainIn === 'image' ? [...new Set([spec.rustc, ...spec.toolchain].map((p) => resolve(p)))] : undefined;
  // The toolchain's system libraries (glibc, libgcc_s) are the executor's; rustc and its sysroot must travel.
  const toolchain = spec.toolchain.filter((p) => notPlaceable(p) === undefined || p === spec.rustc || p.startsWith(`${sysroot}/`));
  const paths = image ? spec.inputs.map(abs).filter((p) => !underAny(p, image)) : [spec.rustc, ...toolchain, ...spec.inputs.map(abs)];
  for (const p of [...paths, abs(spec.cwd), ...spec.outputs.map(abs)]) {
    const why = notPlaceable(p);
    if (why) throw new InputRootError(why);
  }
  const files = await mirrorHostFiles(paths, { algorithm: spec.algorithm, ...(spec.memo ? { memo: spec.memo } : {}) });
  const inputRoot = buildInputRoot(files, spec.algorithm);
  const outputFiles = spec.outputs.map((o) => pathFromWorkingDir(abs(o), spec.cwd));
  const q = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
  // $PWD is the directory the shell started in (dash sets it from getcwd when the environment has none).
  const script = `[ "$PWD" = ${q(spec.cwd)} ] || exit ${WRONG_ROOT_EXIT}; exec "$0" "$@"`;
  const action = buildRemoteAction(
    inputRoot,
    {
      arguments: ['/bin/sh', '-c', script, spec.rustc, ...spec.args],
      env: spec.env,
      outputFiles,
      workingDirectory: resolve(spec.cwd).slice(1),
      platform: [...defaultPlatform(), ROOT_AT, ...(spec.platform ?? [])],
    },
    { algorithm: spec.algorithm },
  );
  return { action, outputFiles, held: new Set(files.map((f) => `/${f.path}`)), ...(image ? { imagePaths: image } : {}) };
}
