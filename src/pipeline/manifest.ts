import { existsSync, lstatSync, statSync } from 'node:fs';
import { mapAbsentDirs, stillAbsent, type AbsentDir } from './absent-set.js';
import { parseJsonObject } from '../json/parse-json-object.js';
import { isDigestHex } from '../hashing/create-hasher.js';
import type { FileDigestCache } from '../hashing/file-digest-cache.js';
import { isStoredPath, storedResolver, type CallDirs } from './stored-path.js';

/**
 * One set of files a compile read, with what must stay absent, and the result it gave.
 * Paths are stored paths (stored-path.ts): absolute, or relative to the caller's $PWD or
 * getcwd(), so an entry serves any directory where the same files sit at the same places.
 */
export interface ManifestEntry {
  /**
   * Stored paths and content digests, the source first. An input with a `view` is checked by
   * the language's view check instead (ghc's usage of an imported interface: usage-views.ts);
   * its digest is the view's, for the result key.
   */
  inputs: Array<{ path: string; digest: string; view?: string }>;
  /** Paths that did not exist and would have been read had they existed, by directory (a stored path). */
  absent: AbsentDir[];
  /** Stored paths whose existence a __has_include depended on. */
  present: string[];
  /** Stored paths of directories gcc passed by where it searched a header: none may have become a file. */
  notFiles?: string[];
  /** Set when the result holds this compile's own directories (see cached-compile.ts): only a call there may use it. */
  anchor?: CallDirs;
  /** Why it is bound so, for `reprise why` (not matched on). */
  anchorWhy?: string;
  /** Environment variables the compile read (rustc's `# env-dep`), with their values (null: unset); a call must have the same. */
  env?: Array<{ name: string; value: string | null }>;
  resultKey: string;
}

/** The direct mode's index: for one source + arguments + tool, every input set seen so far. */
export interface Manifest {
  schema: 1;
  entries: ManifestEntry[];
}

/** Newest entries first; older input sets fall off (a header that flips back and forth keeps a few). */
export const MAX_MANIFEST_ENTRIES = 16;

/**
 * The result key of the first entry, for a call in `dirs`, whose inputs are all unchanged
 * and whose absent paths are all still absent.
 */
export async function matchManifest(m: Manifest, files: FileDigestCache<unknown>, dirs: CallDirs, env?: ReadonlyMap<string, string>, views?: ViewCheck): Promise<string | undefined> {
  return (await matchManifestEntry(m, files, dirs, env, views))?.resultKey;
}

/** Whether the file at an input's path still satisfies its view; without one, an input with a view never matches. */
export type ViewCheck = (path: string, view: string) => Promise<boolean>;

/** The entry matchManifest's result key comes from. */
export async function matchManifestEntry(m: Manifest, files: FileDigestCache<unknown>, dirs: CallDirs, env?: ReadonlyMap<string, string>, views?: ViewCheck): Promise<ManifestEntry | undefined> {
  const at = storedResolver(dirs);
  entries: for (const e of m.entries) {
    if (e.anchor && (e.anchor.cwd !== dirs.cwd || e.anchor.pwd !== dirs.pwd)) continue;
    if (e.env && !e.env.every((v) => (env?.get(v.name) ?? null) === v.value)) continue;
    const paths = resolvedPaths(e, dirs, at);
    for (const a of paths.present) if (!existsSync(a)) continue entries;
    for (const d of paths.notFiles) if (!isDirOrAbsent(d)) continue entries;
    if (!stillAbsent(paths.absent)) continue entries;
    for (const [k, i] of e.inputs.entries()) {
      const path = paths.inputs[k]!;
      if (i.view !== undefined) {
        if (!views || !(await views(path, i.view))) continue entries;
        continue;
      }
      const d = files.peek(path) ?? (await files.digest(path));
      if (!d || d.digest.hash !== i.digest) continue entries;
    }
    return e;
  }
  return undefined;
}

/** An entry's stored paths as absolute paths for a call in `dirs` (what a hit ticket checks again). */
export function entryPathsFor(e: ManifestEntry, dirs: CallDirs): Omit<ResolvedPaths, 'dirs'> {
  return resolvedPaths(e, dirs, storedResolver(dirs));
}

interface ResolvedPaths {
  dirs: string;
  inputs: string[];
  absent: AbsentDir[];
  present: string[];
  notFiles: string[];
}

/** Whether nothing, or a directory, is at `path`: what gcc passes by when it searches a header there. */
function isDirOrAbsent(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? !lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return false; // cannot tell
  }
}

/** An entry's stored paths resolved for the last directories that used it: a rebuild asks again from the same place. */
const resolved = new WeakMap<ManifestEntry, ResolvedPaths>();

function resolvedPaths(e: ManifestEntry, dirs: CallDirs, at: (stored: string) => string): ResolvedPaths {
  const key = `${dirs.cwd}\0${dirs.pwd}`;
  const known = resolved.get(e);
  if (known?.dirs === key) return known;
  const paths: ResolvedPaths = { dirs: key, inputs: e.inputs.map((i) => at(i.path)), absent: resolveAbsent(e.absent, at), present: e.present.map(at), notFiles: (e.notFiles ?? []).map(at) };
  resolved.set(e, paths);
  return paths;
}

/** Absent-path groups with their stored directories (and ancestors) as the absolute paths they name for one call. */
export function resolveAbsent(groups: AbsentDir[], at: (stored: string) => string): AbsentDir[] {
  if (groups.every((g) => g.dir.startsWith('/') && (!g.parent || g.parent.dir.startsWith('/')))) return groups;
  return mapAbsentDirs(groups, at);
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
    for (const i of e.inputs) if (typeof i?.path !== 'string' || !isStoredPath(i.path) || typeof i.digest !== 'string' || !isDigestHex(i.digest) || (i.view !== undefined && typeof i.view !== 'string')) return undefined;
    for (const a of e.present) if (typeof a !== 'string' || !isStoredPath(a)) return undefined;
    const notFiles = e.notFiles as unknown;
    if (notFiles !== undefined && !(Array.isArray(notFiles) && notFiles.every((d) => typeof d === 'string' && isStoredPath(d)))) return undefined;
    const anchor = e.anchor === undefined ? undefined : e.anchor as unknown;
    if (anchor !== undefined && !isAnchor(anchor)) return undefined;
    const env = e.env as unknown;
    if (env !== undefined && !isEnvList(env)) return undefined;
    const absent: AbsentDir[] = [];
    for (const g of e.absent) {
      if (typeof g?.dir !== 'string' || !isStoredPath(g.dir) || typeof g.stamp !== 'string' || !Array.isArray(g.names)) return undefined;
      if (!g.names.every((n: unknown) => typeof n === 'string' && n !== '' && !n.includes('/'))) return undefined;
      const parent = g.parent;
      if (parent !== undefined && (typeof parent?.dir !== 'string' || !isStoredPath(parent.dir) || typeof parent.stamp !== 'string')) return undefined;
      absent.push({ dir: g.dir, stamp: g.stamp, names: [...g.names], ...(parent ? { parent: { dir: parent.dir, stamp: parent.stamp } } : {}) });
    }
    const entry: ManifestEntry = { inputs: e.inputs.map((i) => ({ path: i.path, digest: i.digest, ...(typeof i.view === 'string' ? { view: i.view } : {}) })), absent, present: [...e.present], resultKey: e.resultKey };
    if (Array.isArray(notFiles) && notFiles.length > 0) entry.notFiles = [...(notFiles as string[])];
    if (anchor) entry.anchor = { cwd: anchor.cwd, pwd: anchor.pwd };
    if (anchor && typeof e.anchorWhy === 'string') entry.anchorWhy = e.anchorWhy;
    if (env !== undefined) entry.env = env.map((v) => ({ name: v.name, value: v.value }));
    entries.push(entry);
  }
  return { schema: 1, entries };
}

function isEnvList(v: unknown): v is NonNullable<ManifestEntry['env']> {
  return Array.isArray(v) && v.every((x: { name?: unknown; value?: unknown } | null) => typeof x?.name === 'string' && (x.value === null || typeof x.value === 'string'));
}

function isAnchor(v: unknown): v is CallDirs {
  if (typeof v !== 'object' || v === null) return false;
  const a = v as Record<string, unknown>;
  return typeof a.cwd === 'string' && a.cwd.startsWith('/') && typeof a.pwd === 'string' && a.pwd.startsWith('/');
}
