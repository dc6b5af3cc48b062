// What a C or C++ miss sent to a trusted executor is given without its own pre-pass
// (docs/remote-execution.md, "Traced on the executor"): the files that earlier compiles in the
// same directory read or found present, and the headers beside its source. A guess decides
// nothing: the executor traces the compile, and its result is kept only when every question it
// asked is answered here as there (verify-remote-trace.ts). A guess that misses is sent again
// with a pre-pass, whose fill then teaches the guesses what was missing.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { CompileCall } from '../cached-compile.js';
import { filesAsOpened, type Learned } from '../learn-inputs.js';

/** Files remembered per working directory, and of the system's; past this a guess stops growing. */
const MAX_FILES = 4096;
/** Headers taken from beside a source; a larger directory contributes none. */
const MAX_SIBLINGS = 512;
const HEADER = /\.(h|hh|hpp|hxx|h\+\+|inc|def|inl|ipp|tcc)$/i;
/** A directory's guesses that missed this often, and more often than they were proven, are not tried again. */
const MAX_MISSES = 10;

export interface InputGuesses {
  /** Remembers what a compile read and found present (its source aside), for the next ones in its directory. */
  learn(c: CompileCall, learned: Learned): void;
  /**
   * The host files to send with this compile instead of a pre-pass's list (`files`, and `maybe`
   * if they are still regular files: the action leaves out those gone since), the directories,
   * or undefined: no guess yet, or they kept missing.
   */
  guess(c: CompileCall): { files: string[]; maybe: string[]; dirs: string[] } | undefined;
  /** Tells how a guess fared (proven by the executor's trace, or not). */
  outcome(c: CompileCall, proven: boolean): void;
}

export function createInputGuesses(): InputGuesses {
  // The system's headers (under /usr) any compile here found: units in every directory include mostly the same ones.
  const system = new Set<string>();
  // Directories found present that hold nothing read (the driver's library directories): absent from a root of files alone.
  const dirs = new Set<string>();
  const byDir = new Map<string, Guess>();
  // The other headers of the system directories those came from (errno.h beside stdio.h): the
  // first unit to include one would otherwise miss there and go again with a pre-pass.
  // Each such directory, and whether one of its files had no header suffix (then every file is taken).
  const systemDirs = new Map<string, boolean>();
  const listings = new Map<string, { mtimeMs: number; files: string[] }>();
  const besideSystem = (): string[] => {
    const out: string[] = [];
    for (const [dir, bare] of systemDirs) {
      const st = statSync(dir, { throwIfNoEntry: false });
      if (!st?.isDirectory()) continue;
      let l = listings.get(dir);
      if (!l || l.mtimeMs !== st.mtimeMs) listings.set(dir, (l = { mtimeMs: st.mtimeMs, files: siblingHeaders(dir, bare) }));
      out.push(...l.files);
    }
    return out;
  };
  const entry = (cwd: string): Guess => {
    let e = byDir.get(cwd);
    if (!e) byDir.set(cwd, (e = { files: new Set(), searched: new Set(), hits: 0, misses: 0 }));
    return e;
  };
  return {
    learn(c, learned) {
      const e = entry(c.cwd);
      // The source is the first file as opened: each unit brings its own.
      for (const p of [...filesAsOpened(c, learned).slice(1), ...learned.existing]) {
        const path = resolve(c.cwd, p);
        const set = path.startsWith('/usr/') ? system : e.files;
        if (set.size >= MAX_FILES) continue;
        set.add(path);
        if (set === system) systemDirs.set(dirname(path), systemDirs.get(dirname(path)) === true || !HEADER.test(path));
      }
      for (const p of [...learned.present, ...learned.notFiles]) {
        const path = resolve(c.cwd, p);
        if (dirs.size < MAX_FILES && !dirs.has(path) && isDir(path)) dirs.add(path);
      }
      // The include search directories: gcc drops those missing, and a root of files alone lacks those with nothing read in them.
      for (const d of learned.chain) if (e.searched.size < MAX_FILES) e.searched.add(resolve(c.cwd, d));
    },
    guess(c) {
      const e = byDir.get(c.cwd);
      if (!e || e.files.size === 0 || (e.misses >= MAX_MISSES && e.misses > e.hits)) return undefined;
      const source = resolve(c.cwd, c.job.source);
      // A file gone since is left out: the compile then finds it absent there as here.
      const siblings = siblingHeaders(dirname(source));
      const listed = new Set([source, ...siblings]);
      const maybe = [...new Set([...e.files, ...system, ...besideSystem()])].filter((p) => !listed.has(p));
      return { files: [...listed], maybe, dirs: [...new Set([...dirs, ...e.searched])].filter(isDir) };
    },
    outcome(c, proven) {
      const e = entry(c.cwd);
      if (proven) e.hits++;
      else e.misses++;
    },
  };
}

/** The headers in a source's own directory (not below it): where a unit's first new include most often is. `bare`: every file (C++'s standard headers have no suffix). */
function siblingHeaders(dir: string, bare = false): string[] {
  let names;
  try {
    names = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const headers = names.filter((n) => n.isFile() && (bare || HEADER.test(n.name)));
  return headers.length > MAX_SIBLINGS ? [] : headers.map((n) => join(dir, n.name));
}

interface Guess {
  files: Set<string>;
  searched: Set<string>;
  hits: number;
  misses: number;
}

function isDir(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}

