import { lstatSync, renameSync, statSync } from 'node:fs';
import { chmod, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';

/**
 * A fresh `$GOCACHE` made ahead of time. go makes 256 subdirectories (00 to ff) in a
 * GOCACHE that does not exist yet before it does anything else (cmd/go/internal/cache,
 * Open), and on this disk that took 50-150 ms: a warm build of a small program served by
 * reprise into an empty GOCACHE (a CI job's) spent longer making them than on everything
 * reprise did. So the daemon keeps a couple of such directories ready beside its store,
 * and when a go command names a GOCACHE that does not exist, on the same file system, with
 * the umask they were made for, it renames one into place (one system call). go finds
 * exactly the directories it would have made, and writes its own README as it would.
 *
 * The next one is made once no go command is running (its 256 `mkdir`s cost the daemon
 * 8-15 ms of CPU, which on a busy machine came out of the very build that claimed one), or
 * `refillAfterMs` after the claim when no GOCACHEPROG child is open (a go command that
 * starts none), or at the latest `heldRefillAfterMs` after it (a long build: a cold build of
 * a small program takes 4 s, and a refill 3 s in was 14% of the daemon's CPU in it).
 */
export interface GoCacheSpare {
  /** Puts a ready directory at `gocache` when that does not exist; true when it did. */
  claim(gocache: string, umask: number): boolean;
  /** A go command's GOCACHEPROG session is open: no refill until the returned release (and every other) is called. */
  hold(): () => void;
  /** Starts a refill that waits, and settles when no directory is being made. */
  idle(): Promise<void>;
}

const SUBDIRS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** Back-to-back go commands with fresh GOCACHEs (a script, a benchmark) find one ready while the next is made. */
const KEEP = 2;
const REFILL_AFTER_MS = 3000;
const HELD_REFILL_AFTER_MS = 60_000;

export function createGoCacheSpare(root: string, onError: (e: Error) => void, refillAfterMs = REFILL_AFTER_MS, heldRefillAfterMs = HELD_REFILL_AFTER_MS): GoCacheSpare {
  let ready: string[] = [];
  let readyUmask: number | undefined;
  let making: Promise<void> | undefined;
  let seq = 0;
  /** The umask a refill waits to be made for, while go commands run. */
  let wanted: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running = 0;

  async function makeOne(umask: number): Promise<void> {
    const part = join(root, `making-${process.pid}-${seq}`);
    const done = join(root, `ready-${process.pid}-${seq++}`);
    const mode = 0o777 & ~umask;
    // As go's MkdirAll(0777) under the caller's umask; chmod only when the daemon's own differs.
    const fix = (mode & ~process.umask()) !== mode;
    await rm(part, { recursive: true, force: true });
    await mkdir(part, { mode });
    if (fix) await chmod(part, mode);
    for (const d of SUBDIRS) {
      await mkdir(join(part, d), { mode });
      if (fix) await chmod(join(part, d), mode);
    }
    await rename(part, done);
    if (readyUmask === umask) ready.push(done);
    else await rm(done, { recursive: true, force: true }); // the umask changed meanwhile
  }

  function refill(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const umask = wanted;
    wanted = undefined;
    if (making || umask === undefined) return;
    making = (async () => {
      if (readyUmask !== umask) {
        await rm(root, { recursive: true, force: true }); // another umask's, or an earlier daemon's
        ready = [];
        readyUmask = umask;
      }
      await mkdir(root, { recursive: true, mode: 0o700 });
      while (ready.length < KEEP && readyUmask === umask) await makeOne(umask);
    })()
      .catch((e: unknown) => onError(e as Error))
      .finally(() => (making = undefined));
  }

  function refillLater(umask: number): void {
    wanted = umask;
    if (timer) return;
    timer = setTimeout(() => {
      if (running === 0) return refill();
      // A go command runs: its release refills, unless it runs for long.
      timer = setTimeout(refill, Math.max(0, heldRefillAfterMs - refillAfterMs));
      timer.unref();
    }, refillAfterMs);
    timer.unref();
  }

  return {
    idle() {
      if (wanted !== undefined) refill();
      return making ?? Promise.resolve();
    },
    hold() {
      running += 1;
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        running -= 1;
        if (running === 0 && wanted !== undefined) refill();
      };
    },
    claim(gocache, umask) {
      if (!isAbsolute(gocache)) return false; // go refuses a relative GOCACHE itself
      const target = gocache.replace(/\/+$/, '');
      if (lstatSync(target, { throwIfNoEntry: false })) return false; // it exists: go's own business
      if (!statSync(dirname(target), { throwIfNoEntry: false })?.isDirectory()) return false;
      const dir = readyUmask === umask ? ready.shift() : undefined;
      refillLater(umask);
      if (!dir) return false;
      try {
        renameSync(dir, target); // fails when on another file system (EXDEV), or it appeared meanwhile: go makes it then
        return true;
      } catch {
        void rm(dir, { recursive: true, force: true }).catch(() => undefined);
        return false;
      }
    },
  };
}
