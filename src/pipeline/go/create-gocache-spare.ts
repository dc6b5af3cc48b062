import { lstatSync, renameSync, statSync } from 'node:fs';
import { chmod, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';

/**
 * A fresh `$GOCACHE` made ahead of time. go makes 256 subdirectories (00 to ff) in a
 * GOCACHE that does not exist yet before it does anything else (cmd/go/internal/cache,
 * Open), and on this disk that took 50-150 ms: a warm build of a small program served by
 * reprise into an empty GOCACHE (a CI job's) spent longer making them than on everything
 * reprise did. So the daemon keeps one such directory ready beside its store, and when a
 * go command names a GOCACHE that does not exist, on the same file system, with the same
 * umask, it renames the ready one into place (one system call) and makes the next one in
 * the background. go finds exactly the directories it would have made; it writes its own
 * README as it would.
 */
export interface GoCacheSpare {
  /** Puts the ready directory at `gocache` when that does not exist; true when it did. */
  claim(gocache: string, umask: number): boolean;
  /** Settles when no directory is being made. */
  idle(): Promise<void>;
}

const SUBDIRS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function createGoCacheSpare(root: string, onError: (e: Error) => void): GoCacheSpare {
  const ready = join(root, 'ready');
  let readyUmask: number | undefined;
  let making: Promise<void> | undefined;
  let seq = 0;

  function make(umask: number): void {
    if (making) return;
    making = (async () => {
      const part = join(root, `making-${process.pid}-${seq++}`);
      const mode = 0o777 & ~umask;
      await mkdir(root, { recursive: true, mode: 0o700 });
      await rm(part, { recursive: true, force: true });
      await mkdir(part);
      await chmod(part, mode); // as go's MkdirAll(0777) under the caller's umask, whatever the daemon's
      for (const d of SUBDIRS) {
        await mkdir(join(part, d));
        await chmod(join(part, d), mode);
      }
      await rm(ready, { recursive: true, force: true });
      await rename(part, ready);
      readyUmask = umask;
    })()
      .catch((e: unknown) => onError(e as Error))
      .finally(() => (making = undefined));
  }

  return {
    idle: () => making ?? Promise.resolve(),
    claim(gocache, umask) {
      if (!isAbsolute(gocache)) return false; // go refuses a relative GOCACHE itself
      const target = gocache.replace(/\/+$/, '');
      if (lstatSync(target, { throwIfNoEntry: false })) return false; // it exists: go's own business
      if (!statSync(dirname(target), { throwIfNoEntry: false })?.isDirectory()) return false;
      if (readyUmask !== umask || making) {
        make(umask);
        return false;
      }
      try {
        renameSync(ready, target); // fails when another file system (EXDEV) or it appeared meanwhile: go makes it then
      } catch {
        return false;
      } finally {
        readyUmask = undefined;
        make(umask);
      }
      return true;
    },
  };
}
