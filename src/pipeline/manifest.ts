import { existsSync } from 'node:fs';
import { stillAbsent, type AbsentDir } from './absent-set.js';
import { parseJsonObject } from '../json/parse-json-object.js';
import { isDigestHex } from '../hashing/create-hasher.js';
import type { FileDigestCache } from '../hashing/file-digest-cache.js';

/** One set of files a compile read, with what must stay absent, and the result it gave. */
export interface ManifestEntry {
  /** Absolute paths and content digests, the source first. */
  inputs: Array<{ path: string; digest: string }>;
  /** Paths that did not exist and would have been read had they existed, by directory. */
  absent: AbsentDir[];
  /** Absolute paths whose existence a __has_include depended on. */
  present: string[];
  resultKey: string;
}

/** The direct mode's index: for one source + arguments + tool, every input set seen so far. */
export interface Manifest {
  schema: 1;
  entries: ManifestEntry[];
}

/** Newest entries first; older input sets fall off (a header that flips back and forth keeps a few). */
export const MAX_MANIFEST_ENTRIES = 16;

/** The result key of the first entry whose inputs are all unchanged and whose absent paths are all still absent. */
export async function matchManifest(m: Manifest, files: FileDigestCache<unknown>): Promise<string | undefined> {
  entries: for (const e of m.entries) {
    for (const a of e.present) if (!existsSync(a)) continue entries;
    if (!stillAbsent(e.absent)) continue entries;
    for (const i of e.inputs) {
      const d = files.peek(i.path) ?? (await files.digest(i.path));
      if (!d || d.digest.hash !== i.digest) continue entries;
    }
    return e.resultKey;
  }
  return undefined;
}

export function addManifestEntry(m: Manifest | undefined, e: ManifestEntry): Manifest {
  const others = (m?.entries ?? []).filter((x) => x.resultKey !== e.resultKey);
  return { schema: 1, entries: [e, ...others].slice(0, MAX_MANIFEST_ENTRIES) };
}

export function parseManifest(text: string): Manifest | undefined {
  const raw = parseJsonObject(text);
  if (!raw || raw.schema !== 1 || !Array.isArray(raw.entries)) return undefined;
  const entries: ManifestEntry[] = [];
  for (const e of raw.entries as Manifest['entries']) {
    if (typeof e !== 'object' || e === null || typeof e.resultKey !== 'string' || !isDigestHex(e.resultKey)) return undefined;
    if (!Array.isArray(e.inputs) || !Array.isArray(e.absent) || !Array.isArray(e.present) || e.inputs.length === 0) return undefined;
    for (const i of e.inputs) if (typeof i?.path !== 'string' || !i.path.startsWith('/') || typeof i.digest !== 'string' || !isDigestHex(i.digest)) return undefined;
    for (const a of e.present) if (typeof a !== 'string' || !a.startsWith('/')) return undefined;
    const absent: AbsentDir[] = [];
    for (const g of e.absent) {
      if (typeof g?.dir !== 'string' || !g.dir.startsWith('/') || typeof g.stamp !== 'string' || !Array.isArray(g.names)) return undefined;
      if (!g.names.every((n: unknown) => typeof n === 'string' && n !== '' && !n.includes('/'))) return undefined;
      const parent = g.parent;
      if (parent !== undefined && (typeof parent?.dir !== 'string' || !parent.dir.startsWith('/') || typeof parent.stamp !== 'string')) return undefined;
      absent.push({ dir: g.dir, stamp: g.stamp, names: [...g.names], ...(parent ? { parent: { dir: parent.dir, stamp: parent.stamp } } : {}) });
    }
    entries.push({ inputs: e.inputs.map((i) => ({ path: i.path, digest: i.digest })), absent, present: [...e.present], resultKey: e.resultKey });
  }
  return { schema: 1, entries };
}
