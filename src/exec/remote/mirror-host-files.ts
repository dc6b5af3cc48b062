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

/**
 * Each host file's digest by path, with the stat it was taken at. The digest is a promise from
 * the moment it is asked for, so actions built at once (the first few of a build, all naming
 * the same toolchain) share one hashing of each file instead of each doing all of it.
 */
export type DigestMemo = Map<string, { stamp: string; digest: Promise<Digest> }>;

export interface MirrorOptions {
  algorithm: DigestAlgorithm;
  /** In a walked directory, whether to keep a file (the explicitly listed paths are always kept). */
  keep?: (path: string, isExecutable: boolean) => boolean;
  /** Shared between calls to hash each unchanged file once. */
  memo?: DigestMemo;
  /** Listed paths that are left out when they are gone or not regular files (a guess's, input-guesses.ts). */
  optional?: ReadonlySet<string>;
}

/** Files hashed at once: a toolchain's hundreds of files, first seen, are read side by side, not one round trip after another. */
const HASH_CONCURRENCY = 8;
let hashing = 0;
const waiting: Array<() => void> = [];

function hashLimited(algorithm: DigestAlgorithm, path: string): Promise<Digest> {
  return new Promise((resolve, reject) => {
    const start = (): void => {
      hashing++;
      hashFile(algorithm, path)
        .then(resolve, reject)
        .finally(() => {
          hashing--;
          waiting.shift()?.();
        });
    };
    if (hashing < HASH_CONCURRENCY) start();
    else waiting.push(start);
  });
}

/** Every file under the listed host paths (files or directories), as input files. */
export async function mirrorHostFiles(paths: Iterable<string>, opts: MirrorOptions): Promise<InputFile[]> {
  const out = new Map<string, { path: string; host: string; isExecutable: boolean; digest: Promise<Digest> }>();
  const memo: DigestMemo = opts.memo ?? new Map();
  // Synchronous: a toolchain's few hundred stats each action cost less on the loop than as thread-pool round trips.
  const add = (path: string, walked: boolean): void => {
    const rel = mirroredPath(path);
    if (out.has(rel)) return;
    let st: Stats;
    try {
      st = statSync(path);
    } catch (e) {
      // A dangling symlink inside a walked directory (Debian's rustlib has one) names no file: stat finds nothing there either.
      if ((walked && (e as NodeJS.ErrnoException).code === 'ENOENT') || (!walked && opts.optional?.has(path))) return;
      throw new InputRootError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (!walked && !st.isFile() && opts.optional?.has(path)) return;
    if (st.isDirectory()) {
      for (const name of readdirSync(path).sort()) add(join(path, name), true);
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
    if (!known || known.stamp !== stamp) {
      // Unreadable after its stat (gone meanwhile, or a file whose read fails): the job cannot be an action.
      const digest = hashLimited(opts.algorithm, path).catch((e: NodeJS.ErrnoException) => {
        throw new InputRootError(`cannot read ${path}: ${e.code ?? e.message}`);
      });
      const entry = { stamp, digest };
      memo.set(path, (known = entry));
      // A failed read is not remembered: the next action reads the file again.
      entry.digest.catch(() => {
        if (memo.get(path) === entry) memo.delete(path);
      });
    }
    out.set(rel, { path: rel, host: path, isExecutable, digest: known.digest });
  };
  for (const p of paths) add(p, false);
  const files = [...out.values()];
  const digests = await Promise.all(files.map((f) => f.digest));
  return files.map((f, i) => ({ path: f.path, digest: digests[i]!, isExecutable: f.isExecutable, source: { kind: 'file', path: f.host } }));
}
