import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { digestBytes } from '../../hashing/create-hasher.js';
import type { FileDigest, FileDigestCache } from '../../hashing/file-digest-cache.js';
import type { DigestAlgorithm } from '../../hashing/types.js';

/**
 * The unit a compile builds, when its own registration in a package database cannot
 * matter to it: `-this-unit-id U` with `-hide-all-packages`, and U not asked for by
 * `-package-id` or `-package`. ghc then never exposes U's registration to the module.
 */
export function ignorableHomeUnit(args: readonly string[]): string | undefined {
  const at = args.lastIndexOf('-this-unit-id');
  const unit = at >= 0 ? args[at + 1] : undefined;
  if (!unit || !args.includes('-hide-all-packages')) return undefined;
  return args.some((a, i) => (a === '-package-id' || a === '-package') && args[i + 1] === unit) ? undefined : unit;
}

const memo = new LRUCache<string, FileDigest>({ max: 256 });

/**
 * The digests a ghc entry checks, with one exception: a package database's package.cache
 * stands for its registrations (the `*.conf` files beside it) without the home unit's own.
 * cabal registers the library it builds (`ghc-pkg update`) after every build, so the raw
 * cache differs between the first build and each later one while nothing a module of that
 * library can see has changed. A cache older than a registration beside it (not recached)
 * is taken raw: ghc reads the cache, not the files. (The cache is made from the files, so
 * equal files mean an equal cache; a file removed without a recache is a miss, never a
 * stale hit.)
 */
export function packageDbFiles(inner: FileDigestCache<undefined>, algorithm: DigestAlgorithm, homeUnit: string | undefined): FileDigestCache<undefined> {
  if (!homeUnit) return inner;
  const own = `${homeUnit}.conf`;
  const normalised = async (path: string): Promise<FileDigest | undefined> => {
    const dir = dirname(path);
    let names: string[];
    let cache;
    let dirStat;
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.conf')).sort();
      cache = statSync(path, { bigint: true });
      dirStat = statSync(dir, { bigint: true });
    } catch {
      return inner.digest(path);
    }
    const stamp = `${dirStat.ino}:${dirStat.mtimeNs}:${dirStat.ctimeNs}:${cache.ino}:${cache.size}:${cache.mtimeNs}:${cache.ctimeNs}`;
    const key = `${path}\0${homeUnit}\0${stamp}`;
    const known = memo.get(key);
    if (known) return known;
    const parts: string[] = ['ghc-package-db-1'];
    for (const n of names) {
      const st = statSync(join(dir, n), { bigint: true, throwIfNoEntry: false });
      if (!st || st.mtimeNs > cache.mtimeNs) return inner.digest(path); // not recached since
      if (n === own) continue;
      const d = await inner.digest(join(dir, n));
      if (!d) return inner.digest(path);
      parts.push(`${n}\0${d.digest.hash}`);
    }
    const result: FileDigest = { digest: digestBytes(algorithm, Buffer.from(parts.join('\n'))), stamp, scan: undefined };
    memo.set(key, result);
    return result;
  };
  const special = (path: string): boolean => basename(path) === 'package.cache';
  return {
    counters: inner.counters,
    stamp: (path) => inner.stamp(path),
    known: (path) => (special(path) ? undefined : inner.known(path)),
    peek: (path) => (special(path) ? undefined : inner.peek(path)),
    digest: (path) => (special(path) ? normalised(path) : inner.digest(path)),
  };
}
