// A rustc compile as a REAPI action whose input root stands at the host's own paths
// (docs/remote-execution.md, "rustc"): rustc records absolute paths and any path remapping
// under its crate hashes, so only a compile that runs at the host's paths gives bare rustc's
// bytes (build-root-at-slash-action.ts). With the toolchain in the executor's image
// (`toolchain = "image"`), rustc, its libraries and lib/rustlib stay out of the root: the image
// has them at the host's paths, and only the project's inputs travel.
import { join, resolve } from 'node:path';
import type { DigestAlgorithm } from '../../hashing/types.js';
import { KERNEL_TOP_DIRS, SYSTEM_TOP_DIRS } from '../../reapi/platform-properties.js';
import { InputRootError } from './build-input-root.js';
import { buildRootAtSlashAction, notPlaceableAtSlash, type RootAtSlashAction } from './build-root-at-slash-action.js';
import { fromExecutor, realDirPath } from './executor-own-files.js';
import type { DigestMemo } from './mirror-host-files.js';
import { underAny } from './under-any.js';
import type { ToolchainSource } from '../../config/executor-spec.js';

/** Top-level directories the executor keeps for itself: rustc's outputs and `-L` directories cannot lie there. */
export const EXECUTOR_OWN_DIRS: ReadonlySet<string> = new Set([...SYSTEM_TOP_DIRS, 'tmp', ...KERNEL_TOP_DIRS]);

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
  /** The toolchain listing (RustContext.toolchain): files and directories. glibc and the loader's and locale files are the executor's (executor-own-files.ts); the rest travels. */
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

export interface RustcAction extends RootAtSlashAction {
  /** With the toolchain in the image: the host paths it answers for (rustc, its libraries, lib/rustlib), where dep-info may name files too. */
  imagePaths?: readonly string[];
}

/** The top-level directory of an absolute path ("/root/.rustup/x" → "root"). */
export function topDir(path: string): string {
  return resolve(path).split('/')[1] ?? '';
}

/**
 * Why a path cannot be read from an input root at `/`, or undefined: the kernel's, the
 * executor's private /tmp, or not below a directory of its own there (notPlaceableAtSlash). A
 * file under /usr is placeable (`reprise serve` adds it to the executor's directory): Debian's
 * rustc, its libraries and the crates in /usr/share/cargo travel.
 */
export function notPlaceable(path: string): string | undefined {
  const top = topDir(path);
  if (top === 'tmp' || KERNEL_TOP_DIRS.has(top)) return `${path} is under /${top}, which the executor keeps for itself`;
  return notPlaceableAtSlash(path);
}

/** Why a path cannot be written, or searched for crates, in an input root at `/`: under a directory the executor keeps for itself. */
export function notWritable(path: string): string | undefined {
  const top = topDir(path);
  return top === '' || EXECUTOR_OWN_DIRS.has(top) ? `${path} is under /${top}, which the executor keeps for itself` : undefined;
}

export async function buildRustcAction(spec: RustcActionSpec): Promise<RustcAction> {
  const abs = (p: string): string => resolve(spec.cwd, p);
  const sysroot = resolve(spec.sysroot);
  // From an image: rustc, its libraries and lib/rustlib are the image's (by their host paths), and only the other inputs travel.
  const image = spec.toolchainIn === 'image' ? [...new Set([spec.rustc, ...spec.toolchain].map((p) => resolve(p)))] : undefined;
  // glibc is the executor's; rustc, its libraries (LLVM, libgcc_s) and its sysroot travel, the libraries under their directories' real paths.
  const toolchain = spec.toolchain.filter((p) => !fromExecutor(p)).map((p) => (p === sysroot || p.startsWith(`${sysroot}/`) ? p : realDirPath(p)));
  const paths = image ? spec.inputs.map(abs).filter((p) => !underAny(p, image)) : [spec.rustc, ...toolchain, ...spec.inputs.map(abs)];
  // The working directory is only placed (cargo runs a registry crate's compile in its directory under /usr/share/cargo); the outputs are written.
  const why = [...paths.map(notPlaceable), notPlaceable(join(abs(spec.cwd), 'x')), ...spec.outputs.map(abs).map(notWritable)].find((w) => w !== undefined);
  if (why) throw new InputRootError(why);
  const built = await buildRootAtSlashAction({
    tool: spec.rustc, args: spec.args, cwd: spec.cwd, env: spec.env, paths, outputs: spec.outputs, algorithm: spec.algorithm,
    ...(spec.memo ? { memo: spec.memo } : {}), ...(spec.platform ? { platform: spec.platform } : {}),
  });
  return { ...built, ...(image ? { imagePaths: image } : {}) };
}
