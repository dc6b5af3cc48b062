import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { interfaceAbi } from '../../adapters/ghc/interface-abi.js';
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
const interfaces = new LRUCache<string, FileDigest>({ max: 20_000 });

/** Interface files by any suffix ghc is given (`hi`, `dyn_hi`, `p_hi`, boot ones): read as interfaces when they are. */
const INTERFACE = /hi(-boot)?$/;

export function ghcFiles(inner: FileDigestCache<undefined>, algorithm: DigestAlgorithm, homeUnit: string | undefined): FileDigestCache<undefined> {
  const own = `${homeUnit}.conf`;
  const iface = async (path: string): Promise<FileDigest | undefined> => {
    const stamp = inner.stamp(path);
    if (stamp === undefined) return undefined;
    const known = interfaces.get(path);
    if (known?.stamp === stamp) return known;
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      return undefined;
    }
    const abi = interfaceAbi(bytes);
    if (!abi) return inner.digest(path);
    if (inner.stamp(path) !== stamp) return undefined; // changed while read: neither version's
    const d: FileDigest = { digest: digestBytes(algorithm, abi), stamp, scan: undefined };
    interfaces.set(path, d);
    return d;
  };
  const peekIface = (path: string): FileDigest | undefined => {
    const known = interfaces.get(path);
    return known && inner.stamp(path) === known.stamp ? known : undefined;
  };
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
  const packageDb = (path: string): boolean => homeUnit !== undefined && basename(path) === 'package.cache';
  const isIface = (path: string): boolean => INTERFACE.test(path);
  return {
    counters: inner.counters,
    stamp: (path) => inner.stamp(path),
    known: (path) => (packageDb(path) ? undefined : isIface(path) ? interfaces.get(path) : inner.known(path)),
    peek: (path) => (packageDb(path) ? undefined : isIface(path) ? peekIface(path) : inner.peek(path)),
    digest: (path) => (packageDb(path) ? normalised(path) : isIface(path) ? iface(path) : inner.digest(path)),
  };
}
