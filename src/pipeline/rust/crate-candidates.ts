import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { RustJob } from '../../adapters/rustc/types.js';
import { digestBytes } from '../../hashing/create-hasher.js';
import type { DigestAlgorithm } from '../../hashing/types.js';

/*
 * rustc finds a crate that no `--extern NAME=PATH` names (`extern crate b;`, a bare
 * `--extern b`, or a crate a loaded crate depends on) by listing its `-L` directories: every
 * file lib<prefix>*.rlib, .rmeta or .so there is a candidate, and more than one of the crate
 * is an error (E0464). The file it loaded is keyed by digest; which others were there is
 * what a candidate view keys: per search directory, the crates of each prefix looked for.
 * rustc's locator (rustc_metadata::locator) searches for a direct dependency by name in
 * `-L crate=` and `-L all` directories, and for a dependency of a loaded crate, by name and
 * the `-C extra-filename` that crate recorded, in `-L dependency=` and `-L all` directories.
 */

/** The first line of a candidate view (a manifest input's `view`, on a search directory). */
const VIEW = 'rust-candidates-1';
/** A crate file: lib<stem>.<ext>. */
const CRATE = /^lib(.+)\.(rlib|rmeta|so)$/;

/** A manifest input on a search directory: its digest is the view's, for the result key. */
export interface CandidateView {
  path: string;
  digest: string;
  view: string;
}

/** Search directory kinds a lookup of each sort goes through. */
const DIRECT = new Set(['crate', 'all']);
const TRANSITIVE = new Set(['dependency', 'all']);

/**
 * The candidate views for the crate files a compile loaded (absolute paths): for each one
 * found in a search directory and not named by an extern's path, the crates of its name in
 * every directory a direct lookup searches (when its directory is one), and those of its
 * file's stem in every directory a dependency lookup searches (when its directory is one).
 * Cargo names every crate by its extern's path or, for a dependency, by a hashed stem, so
 * its views hold one crate each and do not change as other crates are built.
 */
export function crateCandidateViews(algorithm: DigestAlgorithm, job: Pick<RustJob, 'searchDirs' | 'externs'>, cwd: string, loaded: readonly string[]): CandidateView[] {
  const dirs = job.searchDirs.map((d) => ({ kind: d.kind, path: resolve(cwd, d.path) }));
  const explicit = new Set(job.externs.flatMap((x) => (x.path === undefined ? [] : [resolve(cwd, x.path)])));
  const prefixes = new Map<string, Set<string>>(); // directory -> prefixes looked for there
  const want = (kinds: ReadonlySet<string>, prefix: string): void => {
    for (const d of dirs) {
      if (!kinds.has(d.kind)) continue;
      const set = prefixes.get(d.path) ?? new Set<string>();
      set.add(prefix);
      prefixes.set(d.path, set);
    }
  };
  for (const file of loaded) {
    const m = CRATE.exec(basename(file));
    if (!m || explicit.has(file)) continue;
    const kinds = new Set(dirs.filter((d) => d.path === dirname(file)).map((d) => d.kind));
    if (kinds.size === 0) continue; // by path, or the sysroot's (the tool identity's)
    const stem = m[1]!;
    if ([...kinds].some((k) => DIRECT.has(k))) want(DIRECT, crateName(stem));
    if ([...kinds].some((k) => TRANSITIVE.has(k))) want(TRANSITIVE, stem);
  }
  return [...prefixes.keys()].sort().map((dir) => {
    const view = candidateView(dir, [...prefixes.get(dir)!].sort());
    return { path: dir, digest: digestBytes(algorithm, Buffer.from(view)).hash, view };
  });
}

/** The view check of a rustc manifest entry (manifest.ts ViewCheck). */
export const candidateCheck = (path: string, view: string): Promise<boolean> => Promise.resolve(candidatesHold(path, view));

/** Whether the directory still holds the candidates its view recorded. */
export function candidatesHold(dir: string, view: string): boolean {
  const [head, ...lines] = view.split('\n');
  if (head !== VIEW) return false;
  try {
    return candidateView(dir, lines.map((l) => decodeURIComponent(l.split('\t')[0]!))) === view;
  } catch {
    return false; // not a view this wrote
  }
}

/**
 * The files of the crates a view holds that are not among the loaded files: candidates the
 * host has that a fill's view (which lists only the crates declared) did not show. rustc
 * may have passed them over by their hash, but a fill that never saw them does not show it.
 */
export function unloadedCandidates(views: readonly CandidateView[], loaded: readonly string[]): string[] {
  const have = new Set(loaded.flatMap((f) => {
    const m = CRATE.exec(basename(f));
    return m ? [`${dirname(f)}/${m[1]}`] : [];
  }));
  const out: string[] = [];
  for (const v of views) {
    for (const line of v.view.split('\n').slice(1)) {
      for (const c of line.split('\t')[1]!.split(' ').filter((s) => s !== '')) {
        const stem = decodeURIComponent(c.slice(0, c.lastIndexOf(':')));
        if (have.has(`${v.path}/${stem}`)) continue;
        for (const ext of ['rmeta', 'rlib', 'so']) if (existsSync(`${v.path}/lib${stem}.${ext}`)) out.push(`${v.path}/lib${stem}.${ext}`);
      }
    }
  }
  return [...new Set(out)];
}

/** The crate name a file stem begins with: crate names hold no `-`, and cargo's extra filename starts with one. */
function crateName(stem: string): string {
  const dash = stem.indexOf('-');
  return dash < 0 ? stem : stem.slice(0, dash);
}

/**
 * The view text: for each prefix, the stems of the crate files there whose crate name is the
 * prefix's (`b` for `b`, `b-x1`; not `bar`, another crate that rustc rejects by its name),
 * each with the sorts present: `m` an rmeta, `r` an rlib, `d` a shared object. rustc reads
 * a crate's metadata from its rmeta when there is one, so beside an rmeta the rlib is not
 * recorded: it is read only to link (and then an input by digest), and cargo writes it
 * after the rmeta, while crates that need only the rmeta may already be compiling.
 */
function candidateView(dir: string, prefixes: readonly string[]): string {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    names = []; // missing or unreadable: rustc finds nothing there either
  }
  const lines = prefixes.map((prefix) => {
    const sorts = new Map<string, Set<string>>();
    for (const n of names) {
      const m = CRATE.exec(n);
      if (!m) continue;
      const stem = m[1]!;
      if (!stem.startsWith(prefix) || crateName(stem) !== crateName(prefix)) continue;
      const s = sorts.get(stem) ?? new Set<string>();
      s.add(m[2] === 'so' ? 'd' : m[2] === 'rmeta' ? 'm' : 'r');
      sorts.set(stem, s);
    }
    for (const s of sorts.values()) if (s.has('m')) s.delete('r');
    const found = [...sorts.keys()].sort().map((stem) => `${encodeURIComponent(stem)}:${[...sorts.get(stem)!].sort().join('')}`);
    return `${encodeURIComponent(prefix)}\t${found.join(' ')}`;
  });
  return [VIEW, ...lines].join('\n');
}
