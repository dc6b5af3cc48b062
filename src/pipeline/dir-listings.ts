import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { LRUCache } from 'lru-cache';
import { isUnsettled } from '../hashing/settle-window.js';

/**
 * Directory listings kept while each directory's stamp holds: adding or removing an entry
 * changes a directory's mtime, so a listing taken once its stamp had settled stays true
 * while the stamp is the same. A fill's probes ask about a thousand names in a few dozen
 * directories, mostly the same ones as the last fill's.
 */
export interface DirListings {
  /** Answers for one check, each directory stat'ed at most once in it. */
  look(): DirLook;
}

export interface DirLook {
  /** The entries of `dir` now; 'missing' when there is no directory there, undefined when it cannot be listed. */
  entries(dir: string): ReadonlySet<string> | 'missing' | undefined;
  /** Whether `path` exists, following symlinks (existsSync's answer, from its directory's listing). */
  exists(path: string): boolean;
}

export function createDirListings(maxDirs = 4096): DirListings {
  const kept = new LRUCache<string, { stamp: string; names: ReadonlySet<string> }>({ max: maxDirs });
  return {
    look() {
      const nowNs = BigInt(Date.now()) * 1_000_000n;
      const seen = new Map<string, ReadonlySet<string> | 'missing' | undefined>();
      const entries = (dir: string): ReadonlySet<string> | 'missing' | undefined => {
        if (seen.has(dir)) return seen.get(dir);
        const found = list(dir, nowNs, kept);
        seen.set(dir, found);
        return found;
      };
      return {
        entries,
        exists(path) {
          const names = entries(dirname(path));
          if (names === 'missing') return false;
          // Listed: only a name there can exist (and a symlink's target must, too).
          return names === undefined || names.has(basename(path)) ? existsSync(path) : false;
        },
      };
    },
  };
}

function list(dir: string, nowNs: bigint, kept: LRUCache<string, { stamp: string; names: ReadonlySet<string> }>): ReadonlySet<string> | 'missing' | undefined {
  let st;
  try {
    st = statSync(dir, { bigint: true, throwIfNoEntry: false });
  } catch {
    return 'missing'; // ENOTDIR on the way, a symlink loop: nothing can be below it
  }
  if (!st?.isDirectory()) return 'missing';
  const stamp = `${st.dev}:${st.ino}:${st.mtimeNs}:${st.ctimeNs}`;
  const known = kept.get(dir);
  if (known?.stamp === stamp) return known.names;
  let names: ReadonlySet<string>;
  try {
    names = new Set(readdirSync(dir));
  } catch {
    return undefined; // searchable, perhaps, but not readable: ask name by name
  }
  // Changed too recently: another change within the same timestamp tick would not show.
  if (!isUnsettled(st.mtimeNs, st.ctimeNs, nowNs)) kept.set(dir, { stamp, names });
  return names;
}
