// An action whose input root stands at the host's own paths (docs/remote-execution.md,
// "rustc", "Go"): a compile whose outputs record absolute paths gives bare bytes only when it
// runs at the host's paths. The Command asks the executor for that with the platform property
// `reprise-root-at=/` (`reprise serve --execute` places the root's directories at their paths:
// src/reapi/serve/execute/place-root-at-slash.ts); its start script checks that the working
// directory is the host's and exits with a reserved code otherwise, so an executor that ignores
// the property fails the action instead of running the tool over its own disk.
import { realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DigestAlgorithm } from '../../hashing/types.js';
import { KERNEL_TOP_DIRS, OUTSIDE_DIGESTS_PROPERTY, ROOT_AT_PROPERTY, SYSTEM_TOP_DIRS, TRACE_PROPERTY } from '../../reapi/platform-properties.js';
import { buildInputRoot, InputRootError } from './build-input-root.js';
import { buildRemoteAction } from './build-remote-action.js';
import { defaultPlatform } from './build-gcc-action.js';
import { mirroredPath, mirrorHostFiles, pathFromWorkingDir, type DigestMemo } from './mirror-host-files.js';
import type { RemoteAction } from './types.js';

/** The platform property (and value) that asks for the input root at `/`. */
export const ROOT_AT = { name: ROOT_AT_PROPERTY, value: '/' } as const;
/** An output named in each directory the command writes in (RootAtSlashSpec.dirs), never written: it makes the directory writable there. */
const WRITABLE_MARK = '.reprise-writable';
/** The start script's exit code when the working directory is not the host's: the executor ignored ROOT_AT. */
export const WRONG_ROOT_EXIT = 213;

/**
 * Why a host path cannot be placed by a root at `/`, or undefined: a file must sit in a
 * directory below `/` and below a system directory (`/usr/bin/gcc`, not `/usr/x`), never under
 * a kernel file system. The executor's side of the rule is
 * src/reapi/serve/execute/place-root-at-slash.ts, which adds the root's files to the
 * directories it runs on itself (`/usr/bin`, its library directories) by an overlay.
 */
export function notPlaceableAtSlash(path: string): string | undefined {
  const parts = resolve(path).split('/').slice(1);
  const top = parts[0] ?? '';
  if (top === '' || KERNEL_TOP_DIRS.has(top)) return `${path} is under /${top}, which the executor keeps for itself`;
  if (parts.length < (SYSTEM_TOP_DIRS.has(top) ? 3 : 2)) return `${path} is directly in /${parts.length > 1 ? top : ''}, where the executor keeps its own`;
  return undefined;
}

export interface RootAtSlashSpec {
  /** The program, absolute: argv[0]. */
  tool: string;
  /** The arguments after argv[0] (host paths: they mean the same there). */
  args: readonly string[];
  cwd: string;
  env: ReadonlyMap<string, string>;
  /** Every host file the root holds, absolute (the tool among them where it travels). */
  paths: readonly string[];
  /** Directories the command writes in, absolute (a temporary directory): in the root even when empty, and writable there. */
  dirs?: readonly string[];
  /** Directories that are there as on the host though the root holds nothing in them (a compiler's search list), absolute. */
  presentDirs?: readonly string[];
  /** The files it writes, absolute or relative to cwd. */
  outputs: readonly string[];
  algorithm: DigestAlgorithm;
  memo?: DigestMemo;
  /** Extra platform properties (the executor's table), after OSFamily, ISA and ROOT_AT. */
  platform?: ReadonlyArray<{ name: string; value: string }>;
  /** Ask the executor for the command's lookup trace (`reprise serve --execute` gives it), into this output file (relative to cwd). */
  traceFile?: string;
  /** With traceFile: ask for the digests of what the command took from the executor's own disk (OUTSIDE_DIGESTS_PROPERTY), into this output file. */
  outsideDigestsFile?: string;
}

export interface RootAtSlashAction {
  action: RemoteAction;
  /** Output paths as the Command names them (relative to the working directory), in spec.outputs order. */
  outputFiles: string[];
  /** Every host path the root holds. */
  held: ReadonlySet<string>;
  /** Each file of the root (its host path) with its SHA-256 hash, as sent. */
  sent: ReadonlyMap<string, string>;
  /** The output files the trace and the outside digests were asked into (spec.traceFile, spec.outsideDigestsFile). */
  traceFile?: string;
  outsideDigestsFile?: string;
}

export async function buildRootAtSlashAction(spec: RootAtSlashSpec): Promise<RootAtSlashAction> {
  const abs = (p: string): string => resolve(spec.cwd, p);
  // The start script's check reads $PWD, which the shell takes from getcwd: the physical path.
  let physical: string;
  try {
    physical = realpathSync(spec.cwd);
  } catch (e) {
    throw new InputRootError(`the working directory ${spec.cwd}: ${(e as Error).message}`);
  }
  const files = await mirrorHostFiles(spec.paths, { algorithm: spec.algorithm, ...(spec.memo ? { memo: spec.memo } : {}) });
  const inputRoot = buildInputRoot(files, spec.algorithm, [...(spec.dirs ?? []), ...(spec.presentDirs ?? [])].map((d) => mirroredPath(abs(d))));
  const outputFiles = spec.outputs.map((o) => pathFromWorkingDir(abs(o), spec.cwd));
  const q = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
  const asked = spec.traceFile ? [{ name: TRACE_PROPERTY, value: spec.traceFile }, ...(spec.outsideDigestsFile ? [{ name: OUTSIDE_DIGESTS_PROPERTY, value: spec.outsideDigestsFile }] : [])] : [];
  // $PWD is the directory the shell started in (dash sets it from getcwd when the environment has none).
  const script = `[ "$PWD" = ${q(physical)} ] || exit ${WRONG_ROOT_EXIT}; exec "$0" "$@"`;
  const action = buildRemoteAction(
    inputRoot,
    {
      arguments: ['/bin/sh', '-c', script, spec.tool, ...spec.args],
      env: spec.env,
      // A directory an output lies in is writable on the executor (REAPI: the server makes outputs' parents); none is written there.
      outputFiles: [...outputFiles, ...asked.map((a) => a.value), ...(spec.dirs ?? []).map((d) => pathFromWorkingDir(join(abs(d), WRITABLE_MARK), spec.cwd))],
      workingDirectory: resolve(spec.cwd).slice(1),
      platform: [...defaultPlatform(), ROOT_AT, ...(spec.platform ?? []), ...asked],
    },
    { algorithm: spec.algorithm },
  );
  const sent = new Map(files.map((f) => [`/${f.path}`, f.digest.hash]));
  return { action, outputFiles, held: new Set(sent.keys()), sent, ...(spec.traceFile ? { traceFile: spec.traceFile, ...(spec.outsideDigestsFile ? { outsideDigestsFile: spec.outsideDigestsFile } : {}) } : {}) };
}
