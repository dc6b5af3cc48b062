import { randomUUID } from 'node:crypto';
import { renameSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Digest } from '../../../hashing/types.js';
import type { ServeStore } from '../types.js';
import type { CachedDir } from './plan-staging.js';
import { stageInputRoot } from './stage-input-root.js';

export interface StagedDirs {
  /** Whether a closed directory of an action is bound from the cache: from the second time its digest is seen (one seen once may never come back). */
  takes(digest: Digest): boolean;
  /** The cached directories' paths (laid out now where missing), held until `release`: eviction never removes one in use. */
  acquire(dirs: readonly CachedDir[]): Promise<string[]>;
  release(dirs: readonly CachedDir[]): void;
}

interface Ready {
  path: string;
  users: number;
  lastUsed: number;
}

/** Cached directories kept (each is a few hardlinks and directories, no bytes of its own). */
const MAX_READY = 2000;
/** Digests counted for `takes`. */
const MAX_SEEN = 100_000;

/**
 * The staged-directory cache of `reprise serve --execute` (DIR/exec/dirs): an input root's
 * closed directories (plan-staging.ts), each laid out once by its Directory digest, with the
 * same hardlinks to store files that staging makes, and then bound read-only into every action
 * that has that directory, instead of linking its files again for each action (gcc's 176
 * toolchain files). A directory is laid out from its Directory message alone, so it holds
 * exactly the entries that digest names; the sandbox binds it read-only, so no action can add,
 * change or remove anything in it for the next one. The least recently used unused ones beyond
 * MAX_READY are removed.
 */
export function createStagedDirs(store: ServeStore, dir: string, twinDir: string): StagedDirs {
  const seen = new Map<string, number>();
  const ready = new Map<string, Ready>();
  const making = new Map<string, Promise<Ready>>();
  const keyOf = (d: Digest): string => `${d.hash}-${d.size}`;

  const make = (c: CachedDir): Promise<Ready> => {
    const key = keyOf(c.digest);
    let p = making.get(key);
    if (!p) {
      p = (async () => {
        const tmp = join(dir, `tmp-${randomUUID()}`);
        try {
          await mkdir(tmp, { recursive: true, mode: 0o755 });
          await stageInputRoot(store, c.entries, tmp, twinDir);
          const path = join(dir, key);
          await rename(tmp, path);
          const r: Ready = { path, users: 0, lastUsed: performance.now() };
          ready.set(key, r);
          return r;
        } catch (e) {
          await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
          throw e;
        }
      })().finally(() => making.delete(key));
      making.set(key, p);
    }
    return p;
  };

  const evict = (): void => {
    if (ready.size <= MAX_READY) return;
    const idle = [...ready.entries()].filter(([, r]) => r.users === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [key, r] of idle.slice(0, ready.size - MAX_READY)) {
      ready.delete(key);
      // Out of the way at once, so that laying the same digest out again never meets a half-removed directory.
      const gone = join(dir, `gone-${randomUUID()}`);
      try {
        renameSync(r.path, gone);
      } catch {
        continue;
      }
      void rm(gone, { recursive: true, force: true }).catch(() => undefined);
    }
  };

  return {
    takes(digest) {
      const key = keyOf(digest);
      if (ready.has(key) || making.has(key)) return true;
      const n = (seen.get(key) ?? 0) + 1;
      if (seen.size >= MAX_SEEN) seen.clear();
      seen.set(key, n);
      return n >= 2;
    },
    async acquire(dirs) {
      const held: Ready[] = [];
      try {
        for (const c of dirs) {
          const r = ready.get(keyOf(c.digest)) ?? (await make(c));
          r.users++;
          r.lastUsed = performance.now();
          held.push(r);
        }
      } catch (e) {
        for (const r of held) r.users--;
        throw e;
      }
      return held.map((r) => r.path);
    },
    release(dirs) {
      for (const c of dirs) {
        const r = ready.get(keyOf(c.digest));
        if (r) r.users--;
      }
      evict();
    },
  };
}
