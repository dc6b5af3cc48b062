import { constants } from 'node:fs';
import { chmod, copyFile, link, mkdir, rename, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Digest } from '../../../hashing/types.js';
import type { ServeStore } from '../types.js';
import type { InputEntry } from './read-input-tree.js';

/** An entry to lay out; a file with `copy` is copied, not linked (it is not bound read-only: plan-staging.ts). */
export type StagedEntry = InputEntry | (Extract<InputEntry, { kind: 'file' }> & { copy?: boolean });

export interface StagedRoot {
  linked: number;
  copied: number;
}

/**
 * Lays an input root out under `root` (an empty directory). Files are hardlinks to the CAS's
 * own files (mode 0644), or, for executable files, to an executable twin kept beside the CAS
 * (`twinDir`, made once per blob by a reflink or copy, mode 0555): one blob cannot be both.
 * Where a hardlink is impossible (another file system, the link limit) the file is copied.
 * Nothing here writes through a link; the sandbox then binds the staged files read-only
 * (read-only-paths.ts), so the action cannot change a store file either. Each blob's bytes are
 * checked against its digest the first time this server stages it.
 */
export async function stageInputRoot(store: ServeStore, entries: readonly StagedEntry[], root: string, twinDir: string): Promise<StagedRoot> {
  const staged: StagedRoot = { linked: 0, copied: 0 };
  // Files are placed side by side: a root first seen (a toolchain's hundreds of files, each
  // checked and linked) would otherwise wait out one round trip after another.
  const running = new Set<Promise<void>>();
  const failures: unknown[] = [];
  for (const e of entries) {
    if (failures.length > 0) break;
    const path = join(root, e.path);
    // Parents come before children: one mkdir each (a recursive one costs several system calls).
    if (e.kind === 'dir') {
      await mkdir(path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      continue;
    }
    while (running.size >= STAGE_CONCURRENCY) await Promise.race(running);
    const placing: Promise<void> = placeEntry(store, e, path, twinDir, staged)
      .catch((err: unknown) => void failures.push(err))
      .finally(() => running.delete(placing));
    running.add(placing);
  }
  // Every placement has settled before the caller sees an error (and removes the directory).
  await Promise.all(running);
  if (failures.length > 0) throw failures[0];
  return staged;
}

/** Files placed at once by one staging. */
const STAGE_CONCURRENCY = 8;

async function placeEntry(store: ServeStore, e: Exclude<StagedEntry, { kind: 'dir' }>, path: string, twinDir: string, staged: StagedRoot): Promise<void> {
  if (e.kind === 'symlink') return symlink(e.target, path);
  if (e.digest.size === 0) return writeFile(path, '', { mode: e.executable ? 0o555 : 0o444 });
  if (!verified.has(e.digest.hash)) {
    // The store's read checks the bytes (and drops a corrupt blob): once per blob per server run.
    if (!(await store.readBlob(e.digest.hash))) throw new BlobLostError(e.digest);
    verified.add(e.digest.hash);
  }
  try {
    if ('copy' in e && e.copy) return await copyOf(store.blobPath(e.digest.hash), path, e.executable, staged);
    const source = e.executable ? await executableTwin(store, e.digest.hash, twinDir) : store.blobPath(e.digest.hash);
    await linkOrCopy(source, path, e.executable, staged);
  } catch (err) {
    // Evicted since it was checked: the client uploads it again.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobLostError(e.digest);
    throw err;
  }
}

/** A hardlink, or a copy (a reflink where the file system can) where a link is impossible. */
async function linkOrCopy(source: string, path: string, executable: boolean, staged: StagedRoot): Promise<void> {
  try {
    await link(source, path);
    staged.linked++;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EMLINK' && code !== 'EPERM') throw err;
    await copyOf(source, path, executable, staged);
  }
}

/** A copy (a reflink where the file system can). */
async function copyOf(source: string, path: string, executable: boolean, staged: StagedRoot): Promise<void> {
  await copyFile(source, path, constants.COPYFILE_FICLONE);
  await chmod(path, executable ? 0o555 : 0o444);
  staged.copied++;
}

/** A blob that went missing (or was corrupt) between the input check and staging. */
export class BlobLostError extends Error {
  override readonly name = 'BlobLostError';
  constructor(readonly digest: Digest) {
    super(`blob ${digest.hash}/${digest.size} is no longer in the CAS`);
  }
}

const verified = new Set<string>();
const making = new Map<string, Promise<string>>();

/** DIR/exec/x/ab/cdef…: the blob as an executable file, made once (concurrent stagings share the work). */
function executableTwin(store: ServeStore, hash: string, twinDir: string): Promise<string> {
  const path = join(twinDir, hash.slice(0, 2), hash.slice(2));
  let p = making.get(path);
  if (!p) {
    p = (async () => {
      try {
        await stat(path);
        return path;
      } catch {
        /* make it */
      }
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      await copyFile(store.blobPath(hash), tmp, constants.COPYFILE_FICLONE);
      await chmod(tmp, 0o555);
      await rename(tmp, path);
      return path;
    })().finally(() => making.delete(path));
    making.set(path, p);
  }
  return p;
}
