import { normalize } from 'node:path';

/** How a traced lookup was answered: found, absent (ENOENT, ENOTDIR, ELOOP), or another error. */
export type LookupAnswer = 'found' | 'absent' | 'error';

/** What shims/lookup-trace.c recorded of one sandboxed run, paths absolute and lexically normal. */
export interface LookupTrace {
  /** Every process that started traced also ended traced (none killed, none left by _exit). */
  complete: boolean;
  /** Files opened for reading, with the answer. */
  reads: Map<string, LookupAnswer>;
  /** Paths stat'ed, access-checked, readlink'ed or realpath'ed (existence questions). */
  looks: Map<string, LookupAnswer>;
  /** Paths opened for writing or created, with the answer. */
  writes: Map<string, LookupAnswer>;
  /** Directories listed. */
  listed: Map<string, LookupAnswer>;
  /** Programs an exec was tried on (a bare name when the libc searched PATH). */
  execs: Set<string>;
  /** Libraries dlopen'ed (a bare name when the loader searched). */
  loaded: Set<string>;
  /** Environment variables read, and whether each was set. */
  env: Map<string, boolean>;
  /** For each variable read, the programs of the processes that read it. */
  envReaders: Map<string, Set<string>>;
  /** For each variable read, the loaded objects (the program, a library, a dlopen'ed proc-macro) whose code asked for it. */
  envCallers: Map<string, Set<string>>;
  /** The programs of the processes that read the wall clock (the time of day, not a timer). */
  clock: Set<string>;
  /** Lookups whose path the tracer could not make absolute. */
  unplaced: string[];
}

const ANSWERS: Record<string, LookupAnswer> = { '+': 'found', '-': 'absent', '!': 'error' };

/**
 * Parses a trace file: records of kind, answer and path, each ended by NUL. A path that was
 * both found and absent in one run (a file the compile created) keeps its first answer.
 */
export function parseLookupTrace(data: Buffer): LookupTrace {
  const t: LookupTrace = { complete: true, reads: new Map(), looks: new Map(), writes: new Map(), listed: new Map(), execs: new Set(), loaded: new Set(), env: new Map(), envReaders: new Map(), envCallers: new Map(), clock: new Set(), unplaced: [] };
  const starts = new Map<string, { b: number; e: number }>();
  const execs = { tried: 0, failed: 0 };
  let start = 0;
  while (start < data.length) {
    let end = data.indexOf(0, start);
    if (end < 0) {
      t.complete = false; // a record cut short
      break;
    }
    const rec = data.toString('utf8', start, end);
    start = end + 1;
    if (rec.length < 2) continue;
    const kind = rec[0]!;
    const answer = ANSWERS[rec[1]!];
    const raw = rec.slice(2);
    if (kind === 'B' || kind === 'E') {
      const n = starts.get(raw) ?? { b: 0, e: 0 };
      if (kind === 'B') n.b++;
      else n.e++;
      starts.set(raw, n);
      continue;
    }
    if (kind === 't') {
      t.clock.add(raw);
      continue;
    }
    if (kind === 'e') {
      // NAME=PROGRAM (a name holds no '='); NAME alone from an older tracer.
      const eq = raw.indexOf('=');
      const name = eq < 0 ? raw : raw.slice(0, eq);
      if (!t.env.has(name)) t.env.set(name, answer === 'found');
      if (eq >= 0) {
        const readers = t.envReaders.get(name) ?? new Set<string>();
        readers.add(raw.slice(eq + 1));
        t.envReaders.set(name, readers);
      }
      continue;
    }
    if (kind === 'v') {
      // NAME=OBJECT, beside the variable's 'e' record.
      const eq = raw.indexOf('=');
      if (eq > 0) {
        const callers = t.envCallers.get(raw.slice(0, eq)) ?? new Set<string>();
        callers.add(clean(raw.slice(eq + 1))); // normalised as the 'l' records are: `./lib.so` made absolute keeps its `.`
        t.envCallers.set(raw.slice(0, eq), callers);
      }
      continue;
    }
    if (kind === 'x') {
      if (rec[1] === '?') execs.tried++;
      else execs.failed++;
    }
    if (kind === 'x' || kind === 'l') {
      const name = raw.startsWith('?/') ? raw.slice(2) : clean(raw);
      (kind === 'x' ? t.execs : t.loaded).add(name);
      continue;
    }
    if (raw.startsWith('?/')) {
      t.unplaced.push(raw.slice(2));
      continue;
    }
    const path = clean(raw);
    const a = answer ?? 'error';
    const first = (m: Map<string, LookupAnswer>): void => void (m.has(path) || m.set(path, a));
    if (kind === 'r') first(t.reads);
    else if (kind === 's') first(t.looks);
    else if (kind === 'd') first(t.listed);
    else if (kind === 'w') t.writes.set(path, a);
  }
  // An exec replaces an image without its E record, and a forked child that never execs
  // has no B: a process ran to its end when its pid has an E, whatever it started as.
  for (const [, n] of starts) if (n.b > 0 && n.e === 0) t.complete = false;
  // No process at all: the tool never loaded the tracer (a static program), so nothing it did is known.
  if (starts.size === 0) t.complete = false;
  // Each exec that went through starts an image, which records its start unless it did not
  // load the tracer (a static program, or an environment without LD_PRELOAD).
  const images = [...starts.values()].reduce((n, s) => n + s.b, 0);
  if (images < 1 + execs.tried - execs.failed) t.complete = false;
  return t;
}

/** Lexically normal: the tracer writes absolute paths, most of them normal already (a C++ unit's trace holds thousands). */
function clean(p: string): string {
  return p.includes('/.') || p.includes('//') ? trimSlash(normalize(p)) : trimSlash(p);
}

/** `/usr/lib/gcc/12/.` normalizes to `/usr/lib/gcc/12/`: the directory itself. */
function trimSlash(p: string): string {
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}
