// What a `ghc -c` sent to an executor takes with it (docs/remote-execution.md, "GHC"). ghc has
// no pre-pass: it finds its imports by searching the -i directories and the package databases,
// and which interfaces of other packages it reads depends on the names the module uses. So the
// root is a guess wide enough for a compile's every search: the toolchain (the library
// directory without profiling and static libraries), every package database the call names
// and the directories its packages list, and the home package's directories (-i, -hidir,
// -odir, -stubdir, -I) with the files ghc looks for there. A guess that lacks a file the
// compile looked for fails the proof (verify-ghc-remote.ts), and the module compiles here.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { LRUCache } from 'lru-cache';
import { importDirsFlag } from '../../adapters/ghc/import-dirs-flag.js';
import { underAny } from '../../exec/remote/under-any.js';
import type { GhcCall } from './ghc-call.js';

/** Files a compile never reads: profiling interfaces and objects, static archives (a dynamic ghc's splices load shared objects), documentation. */
const NOT_READ = /\.(?:p_hi|p_o|p_dyn_hi|p_dyn_o|a|haddock)$|\.p_hi-boot$/;
/** The library directory's trees that hold documentation only. */
const DOC_DIRS = new Set(['html', 'latex', 'doc']);
/** Package fields that name directories a compile may read: interfaces, shared objects a splice loads, CPP headers. */
const PACKAGE_DIRS = /^(import-dirs|library-dirs|dynamic-library-dirs|include-dirs):(.*(?:\n[ \t].*)*)/gm;
/** Files a home directory contributes: Haskell sources and headers; interfaces and objects by the call's suffixes (artefacts). */
const SOURCE = /\.(?:hs|lhs|hsig|lhsig|hs-boot|lhs-boot|h|hs-incl|inc)$/;
/** More files than this in the home package's directories: not guessed (a -i. over a whole checkout). */
const MAX_HOME_FILES = 20_000;

export class GhcRootTooLarge extends Error {}

/** A directory's files (recursively, kept by `keep`), memoised by the directories' mtimes: the toolchain's trees are walked once per daemon. */
const walks = new LRUCache<string, { stamps: Map<string, number>; files: string[] }>({ max: 2048 });

/** `kind` names what `keep` keeps: the memo's key beside the directory. */
export function walk(root: string, kind: string, keep: (path: string) => boolean, limit = Infinity): string[] {
  const key = `${root}\0${kind}`;
  const known = walks.get(key);
  if (known && [...known.stamps].every(([d, m]) => statSync(d, { throwIfNoEntry: false })?.mtimeMs === m)) return known.files;
  const stamps = new Map<string, number>();
  const files: string[] = [];
  const seen = new Set<string>(); // by device and inode: a symlink back up the tree is walked once
  const visit = (dir: string): void => {
    const st = statSync(dir, { throwIfNoEntry: false });
    if (!st?.isDirectory() || seen.has(`${st.dev}:${st.ino}`)) return;
    seen.add(`${st.dev}:${st.ino}`);
    stamps.set(dir, st.mtimeMs);
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue; // .git, .ghc.environment.*: not a search's
      const p = join(dir, e.name);
      const isDir = e.isDirectory() || (e.isSymbolicLink() && statSync(p, { throwIfNoEntry: false })?.isDirectory());
      if (isDir) visit(p);
      else if (keep(p) && statSync(p, { throwIfNoEntry: false })?.isFile()) files.push(p);
      if (files.length > limit) throw new GhcRootTooLarge(`more than ${limit} files under ${root}`);
    }
  };
  visit(root);
  walks.set(key, { stamps, files });
  return files;
}

function toolchainFile(p: string): boolean {
  return !NOT_READ.test(p);
}

/** The package databases a call reads: the global one (LibDir/package.conf.d), the user's, and each -package-db, as ghc's flags select them. */
export function packageDbs(args: readonly string[], cwd: string, libDir: string, version: string): string[] {
  let global = true;
  let user = true;
  let named: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-no-global-package-db') global = false;
    else if (a === '-global-package-db') global = true;
    else if (a === '-no-user-package-db') user = false;
    else if (a === '-user-package-db') user = true;
    else if (a === '-clear-package-db') (global = false), (user = false), (named = []);
    else if ((a === '-package-db' || a === '-package-conf') && args[i + 1] !== undefined) named.push(resolve(cwd, args[++i]!));
  }
  const dbs = [...(global ? [join(libDir, 'package.conf.d')] : []), ...(user ? [join(homedir(), '.ghc', `x86_64-linux-${version}`, 'package.conf.d')] : []), ...named];
  return dbs.filter((d) => statSync(d, { throwIfNoEntry: false })?.isDirectory());
}

/** A package's registration, as far as the root needs it. */
interface Registration {
  id: string;
  name: string;
  version: string;
  depends: string[];
  /** Its import, library and include directories, absolute. */
  dirs: string[];
}

/** A registration's field: its value, continuation lines joined. */
const field = (text: string, name: string): string => new RegExp(`^${name}:(.*(?:\\n[ \\t].*)*)`, 'm').exec(text)?.[1]?.trim() ?? '';

/** A database's registrations, memoised by its directory's and package cache's mtimes (`${pkgroot}` is the database's parent). */
const registrations = new LRUCache<string, { stamp: string; regs: Registration[] }>({ max: 64 });

function registered(db: string): Registration[] {
  const stamp = [db, join(db, 'package.cache')].map((p) => statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? 0).join(':');
  const known = registrations.get(db);
  if (known?.stamp === stamp) return known.regs;
  const regs: Registration[] = [];
  for (const name of readdirSync(db)) {
    if (!name.endsWith('.conf')) continue;
    let text: string;
    try {
      text = readFileSync(join(db, name), 'utf8');
    } catch {
      continue;
    }
    const dirs = new Set<string>();
    for (const m of text.matchAll(PACKAGE_DIRS)) {
      for (const raw of m[2]!.split(/[\s,]+/)) {
        const d = raw.replace(/^"|"$/g, '').replace('${pkgroot}', dirname(db));
        if (d.startsWith('/')) dirs.add(d);
      }
    }
    regs.push({ id: field(text, 'id'), name: field(text, 'name'), version: field(text, 'version'), depends: field(text, 'depends').split(/\s+/).filter((d) => d !== ''), dirs: [...dirs] });
  }
  registrations.set(db, { stamp, regs });
  return regs;
}

/**
 * The units a call can see, by id, or undefined for all: with -hide-all-packages (cabal's way),
 * those its -package-id and -package flags name, what they depend on, and the RTS.
 */
function visibleUnits(args: readonly string[], regs: readonly Registration[]): Set<string> | undefined {
  if (!args.includes('-hide-all-packages')) return undefined;
  const wanted: string[] = ['rts'];
  for (let i = 0; i + 1 < args.length; i++) {
    if (args[i] === '-package-id') wanted.push(args[i + 1]!);
    // -package NAME or NAME-VERSION, and a renaming after the name ("base (Prelude as P)").
    else if (args[i] === '-package') {
      const spec = args[i + 1]!.split(/\s/)[0]!;
      for (const r of regs) if (r.name === spec || `${r.name}-${r.version}` === spec) wanted.push(r.id);
    }
  }
  const byId = new Map(regs.map((r) => [r.id, r]));
  const seen = new Set<string>();
  for (let id = wanted.pop(); id !== undefined; id = wanted.pop()) {
    if (seen.has(id)) continue;
    seen.add(id);
    wanted.push(...(byId.get(id)?.depends ?? []));
  }
  return seen;
}

/**
 * The toolchain's files: the library directory (bin, settings, headers, the RTS), the package
 * databases, and the directories of the packages the call can see (`args`: -hide-all-packages
 * with -package-id limits them). ghc's own shared libraries stay whatever the call sees: they
 * lie in its packages' directories, and ghc loads them to start.
 */
export function toolchainFiles(libDir: string, dbs: readonly string[], args: readonly string[] = []): string[] {
  const regs = dbs.flatMap(registered);
  const visible = visibleUnits(args, regs);
  const hidden = visible === undefined ? [] : regs.filter((r) => !visible.has(r.id)).flatMap((r) => r.dirs);
  const shown = new Set(visible === undefined ? regs.flatMap((r) => r.dirs) : regs.filter((r) => visible.has(r.id)).flatMap((r) => r.dirs));
  const shownDirs = [...shown];
  const keep = (f: string): boolean => !underAny(f, hidden) || underAny(f, shownDirs) || (f.endsWith('.so') && underAny(f, [libDir]));
  const files = new Set<string>();
  for (const e of readdirSync(libDir, { withFileTypes: true })) {
    const p = join(libDir, e.name);
    if (DOC_DIRS.has(e.name)) continue;
    if (e.isFile()) files.add(p); // settings, platformConstants, llvm-targets
    else for (const f of walk(p, 'toolchain', toolchainFile)) if (keep(f)) files.add(f);
  }
  for (const db of dbs) for (const f of walk(db, 'toolchain', toolchainFile)) files.add(f);
  for (const d of shown) for (const f of walk(d, 'toolchain', toolchainFile)) files.add(f);
  return [...files];
}

/** The home package's directories a call searches or writes, absolute: -i (default the working directory), -I, -hidir, -odir, -stubdir. */
export function homeDirs(c: GhcCall): string[] {
  const args = c.job.runArgs;
  let imports = ['.'];
  const includes: string[] = [];
  for (const a of args) {
    const added = importDirsFlag(a);
    if (added === 'reset') imports = [];
    else if (added) imports.push(...added);
    else if (a.startsWith('-I') && a.length > 2) includes.push(a.slice(2));
  }
  const l = c.job.layout;
  return [...new Set([...imports, ...includes, ...[l.hidir, l.odir, l.stubdir].filter((d): d is string => d !== undefined)].map((d) => resolve(c.cwd, d)))];
}

/** The home package's files ghc may look for: sources and headers, and interfaces and objects by the call's suffixes. */
export function homeFiles(c: GhcCall): string[] {
  const l = c.job.layout;
  const suffixes = [l.hisuf, l.dynhisuf, l.osuf, l.dynosuf].flatMap((s) => [`.${s}`, `.${s}-boot`]);
  const artefact = (p: string): boolean => SOURCE.test(p) || suffixes.some((s) => p.endsWith(s));
  const files = new Set<string>([resolve(c.cwd, c.job.source)]);
  for (const d of homeDirs(c)) {
    for (const f of walk(d, `home:${suffixes.join(',')}`, artefact, MAX_HOME_FILES)) files.add(f);
    if (files.size > MAX_HOME_FILES) throw new GhcRootTooLarge(`more than ${MAX_HOME_FILES} files in the home package's directories`);
  }
  return [...files];
}
