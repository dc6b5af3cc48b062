// Host files as input-root entries at their mirrored paths: the host's absolute /usr/bin/gcc
// is the root's usr/bin/gcc (docs/remote-execution.md). Symlinks are followed (the entry is
// the file they name, at the link's path), directories are walked, and each file's digest is
// memoised by its stat, so a toolchain of hundreds of megabytes is hashed once per daemon.
import { constants, readdirSync, statSync, type Stats } from 'node:fs';
import { isAbsolute, join, normalize, relative } from 'node:path';
import { hashFile } from '../../hashing/hash-file.js';
import type { Digest, DigestAlgorithm } from '../../hashing/types.js';
import { InputRootError } from './build-input-root.js';
import type { InputFile } from './types.js';

/** The root-relative path of a host path: "/usr/bin/gcc" → "usr/bin/gcc" (lexically normalised). */
export function mirroredPath(hostPath: string): string {
  if (!isAbsolute(hostPath)) throw new InputRootError(`not an absolute host path: ${hostPath}`);
  const n = normalize(hostPath);
  return n === '/' ? '' : n.replace(/^\/+/, '').replace(/\/+$/, '');
}

/** How a command in `cwd` names a host path in the mirrored tree: relative, as "../../usr/bin/gcc". */
export function pathFromWorkingDir(hostPath: string, cwd: string): string {
  return relative(mirroredPath(cwd) === '' ? '/' : normalize(cwd), normalize(hostPath)) || '.';
}

export interface MirrorOptions {
  algorithm: DigestAlgorithm;
  /** In a walked directory, whether to keep a file (the explicitly listed paths are always kept). */
  keep?: (path: string, isExecutable: boolean) => boolean;
  /** Shared between calls to hash each unchanged file once. */
  memo?: Map<string, { stamp: string; digest: Digest }>;
}

/** Every file under the listed host paths (files or directories), as input files. */
export async function mirrorHostFiles(paths: Iterable<string>, opts: MirrorOptions): Promise<InputFile[]> {
  const out = new Map<string, InputFile>();
  const memo = opts.memo ?? new Map<string, { stamp: string; digest: Digest }>();
  const add = async (path: string, walked: boolean): Promise<void> => {
    const rel = mirroredPath(path);
    if (out.has(rel)) return;
    // Synchronous: a toolchain's few hundred stats each action cost less on the loop than as thread-pool round trips.
    let st: Stats;
    try {
      st = statSync(path);
    } catch (e) {
      throw new InputRootError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(path).sort()) await add(join(path, name), true);
      return;
    }
    if (!st.isFile()) {
      if (walked) return; // sockets, fifos, devices inside a toolchain directory are not inputs
      throw new InputRootError(`${path} is not a regular file`);
    }
    const isExecutable = (st.mode & constants.S_IXUSR) !== 0;
    if (walked && opts.keep && !opts.keep(path, isExecutable)) return;
    const stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}:${opts.algorithm}`;
    let known = memo.get(path);
    if (!known || known.stamp !== stamp) memo.set(path, (known = { stamp, digest: await hashFile(opts.algorithm, path) }));
    out.set(rel, { path: rel, digest: known.digest, isExecutable, source: { kind: 'file', path } });
  };
  for (const p of paths) await add(p, false);
  return [...out.values()];
}
