import { posix } from 'node:path';
import type { Digest } from '../../../hashing/types.js';
import { decodeReapiMessage } from '../../load-reapi-protos.js';
import type { Directory } from '../../types.js';
import { fromWireDigest } from '../../wire-digest.js';
import type { ServeStore } from '../types.js';

/** One entry of an input root, by its path relative to the root. */
export type InputEntry =
  | { kind: 'dir'; path: string; digest: Digest }
  | { kind: 'file'; path: string; digest: Digest; executable: boolean }
  | { kind: 'symlink'; path: string; target: string };

/** The input root flattened (parents before children), or the blobs it needs that the CAS lacks. */
export type InputTree = { ok: true; entries: InputEntry[]; bytes: number } | { ok: false; missing: Digest[] } | { ok: false; invalid: string };

/** Directory messages already read, checked and decoded, by digest: their content cannot change. */
const decoded = new Map<string, Directory>();
const DECODED_MAX = 20_000;

/**
 * Reads an input root's Directory messages from the CAS (each one once per server run: they
 * are content-addressed) and lists every entry. Names are
 * checked (no separators, no `.` or `..`), so a hostile tree cannot name a path outside the
 * staging directory. Every missing blob is reported, Directories and files alike, as REAPI's
 * FAILED_PRECONDITION wants.
 */
export async function readInputTree(store: ServeStore, rootDigest: Digest): Promise<InputTree> {
  const entries: InputEntry[] = [];
  const missing: Digest[] = [];
  const files = new Map<string, Digest>();
  const seen = new Map<string, Directory>();
  let bytes = 0;
  const walk = async (digest: Digest, at: string): Promise<string | undefined> => {
    let dir = seen.get(digest.hash) ?? decoded.get(`${digest.hash}/${digest.size}`);
    if (!dir) {
      const blob = await store.readBlob(digest.hash);
      if (!blob || blob.length !== digest.size) {
        missing.push(digest);
        return undefined;
      }
      try {
        dir = decodeReapiMessage('build.bazel.remote.execution.v2.Directory', blob);
      } catch {
        return `${at || '.'}: not a Directory message`;
      }
      seen.set(digest.hash, dir);
      if (decoded.size >= DECODED_MAX) decoded.clear();
      decoded.set(`${digest.hash}/${digest.size}`, dir);
    }
    for (const f of dir.files) {
      const d = fromWireDigest(f.digest);
      if (!d || !validName(f.name)) return `${posix.join(at, f.name)}: bad file node`;
      entries.push({ kind: 'file', path: posix.join(at, f.name), digest: d, executable: f.isExecutable });
      files.set(d.hash, d);
      bytes += d.size;
    }
    for (const s of dir.symlinks) {
      if (!validName(s.name)) return `${posix.join(at, s.name)}: bad symlink node`;
      entries.push({ kind: 'symlink', path: posix.join(at, s.name), target: s.target });
    }
    for (const sub of dir.directories) {
      const d = fromWireDigest(sub.digest);
      if (!d || !validName(sub.name)) return `${posix.join(at, sub.name)}: bad directory node`;
      const path = posix.join(at, sub.name);
      entries.push({ kind: 'dir', path, digest: d });
      const problem = await walk(d, path);
      if (problem) return problem;
    }
    return undefined;
  };
  const problem = await walk(rootDigest, '');
  if (problem) return { ok: false, invalid: problem };
  missing.push(...(await store.findMissing([...files.values()])));
  if (missing.length > 0) return { ok: false, missing };
  return { ok: true, entries, bytes };
}

function validName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\0');
}
