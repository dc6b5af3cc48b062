import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { installPaths } from '../../runtime/install-paths.js';
import { environRead } from '../environ-read.js';
import type { LookupTrace } from '../../exec/parse-lookup-trace.js';
import { under } from '../trace-coverage.js';
import { SYSTEM_TREES } from '../system-trees.js';
import { unloadedCandidates } from './crate-candidates.js';
import type { RustInputs } from './scan-rust-inputs.js';
import { JOBSERVER_ENV } from './rust-call.js';

/**
 * Variables rustc (and the rustup proxy in front of it) reads that cannot change its
 * outputs, or that the key holds otherwise: the toolchain is keyed by content (PATH,
 * LD_LIBRARY_PATH, the rustup and cargo homes only find it), temporary directories are
 * private to each run, the tracer's own, the proxy's recursion guard, and the make
 * jobserver's variables, which the daemon removes before rustc runs.
 */
export const RUST_UNKEYED_ENV: ReadonlySet<string> = new Set([
  'PATH', 'LD_LIBRARY_PATH', 'RUSTUP_HOME', 'RUSTUP_TOOLCHAIN', 'CARGO_HOME', 'RUST_RECURSION_COUNT',
  'TMPDIR', 'TMP', 'TEMP', 'LD_PRELOAD', 'REPRISE_TRACE',
  // The jobserver's descriptors: removed before rustc runs (rustRunEnv), so never seen.
  ...JOBSERVER_ENV,
]);

export type RustTraced = { kind: 'ok'; learned: RustInputs } | { kind: 'hid'; paths: string[] } | { kind: 'listed'; path: string } | { kind: 'program'; path: string } | { kind: 'wrote'; path: string } | { kind: 'embedded'; value: string } | { kind: 'environ'; path: string } | { kind: 'incomplete' };

/**
 * What the lookup trace of a rustc fill adds to what it read: every path it found absent
 * (a `mod m;` looks for `m.rs` and `m/mod.rs`) outside the toolchain and its own scratch
 * places joins the entry's absent paths, so that a file appearing there is a miss, as bare
 * rustc would then fail or read it; and every variable it read (a proc-macro's
 * `std::env::var`, rustc's own switches) joins the entry's variables with the value it
 * saw. rustc's view hides what its pre-pass did not list, so an absent answer that the host
 * would not give means the view decided: `hid`, with every such path, and the fill is not
 * stored as it is (the caller may show them and fill again). A directory listed outside
 * the toolchain, the `-L` directories and a package shown whole (a proc-macro embedding
 * every file of a directory, as include_dir does) is `listed`: the view lists only what
 * was declared, and a file added there later would not be in the key either. A program
 * run that is not the toolchain's (a proc-macro running `git`, as git-version does) is
 * `program`: the view may not have it, and what it read and answered is not in the key. A
 * file written outside the output directories and the run's temporaries (a proc-macro
 * exporting type definitions) is `wrote`: a hit would not write it.
 */
export function rustTraced(t: LookupTrace, learned: RustInputs, opts: { toolchain: readonly string[]; own: readonly string[]; outDirs: readonly string[]; env: ReadonlyMap<string, string>; cwd: string; searchDirs: readonly string[] }): RustTraced {
  if (!t.complete || t.unplaced.length > 0) return { kind: 'incomplete' };
  // A proc-macro reading the process's environment as a file: which variables it used is unknown.
  const environ = environRead(t);
  if (environ) return { kind: 'environ', path: environ };
  const skip = [...opts.own, '/proc', '/dev', '/sys'];
  // The source trees: where the crate's modules and included files are looked for; a path
  // found absent there, or anywhere outside the system's trees (a proc-macro probing a file
  // of the user's), joins the entry. What the linker and the toolchain find absent in the
  // system's trees (crt files, their search paths) is taken on trust as the toolchain is
  // (docs/trust-model.md, "rustc", "Traced fills").
  const sources = [...new Set([opts.cwd, ...learned.inputs.map((i) => dirname(i.path))])].filter((d) => !under(d, skip) && !under(d, opts.outDirs) && !under(d, opts.toolchain));
  // Programs looked for on PATH (rustc's linker `cc`, collect2's `nm`) are the toolchain's too.
  const pathDirs = (opts.env.get('PATH') ?? '').split(':').filter((d) => d.startsWith('/'));
  const absent = new Set(learned.absent ?? []);
  const hid: string[] = [];
  for (const m of [t.reads, t.looks]) {
    for (const [p, a] of m) {
      if (a !== 'absent' || under(p, skip) || under(p, opts.toolchain) || t.writes.get(p) === 'found') continue;
      if (existsSync(p)) {
        // Anywhere (a proc-macro reading a file by its absolute path), the view must not have
        // hidden what the host has; our own shim, where rustc looks for `cc`, runs the same real one.
        if (pathDirs.includes(dirname(p)) || isShim(p)) continue;
        hid.push(p);
        continue;
      }
      if ((under(p, sources) || !under(p, SYSTEM_TREES)) && !under(p, opts.outDirs) && !pathDirs.includes(dirname(p))) absent.add(p);
    }
  }
  // Crates the host offers where rustc searched, which the view did not show (crate-candidates.ts).
  hid.push(...unloadedCandidates(learned.candidates ?? [], learned.inputs.map((i) => i.path)));
  if (hid.length > 0) return { kind: 'hid', paths: [...new Set(hid)] };
  // rustc's and the linker's temporaries go to $TMPDIR or /tmp (private in the view), but projects live in /tmp too.
  const tmpdir = opts.env.get('TMPDIR');
  const temporary = (p: string): boolean => (tmpdir !== undefined && tmpdir.startsWith('/') && under(p, [tmpdir])) || (under(p, ['/tmp']) && !under(p, [opts.cwd]));
  // Any answer: the view hides directories and is read-only, so a write that failed here
  // (ENOENT, EROFS) may be one bare rustc made, and a proc-macro that caught the error went on.
  for (const [p] of t.writes) {
    if (!under(p, skip) && !under(p, opts.outDirs) && !temporary(p)) return { kind: 'wrote', path: p };
  }
  for (const x of t.execs) {
    if (!toolchainProgram(x, opts.toolchain, pathDirs)) return { kind: 'program', path: x };
  }
  // rustc lists every -L directory (what it finds there is keyed: crate-candidates.ts, native-library-search.ts).
  for (const [p, a] of t.listed) {
    if (a === 'found' && !under(p, skip) && !under(p, opts.toolchain) && !opts.searchDirs.includes(p) && !under(p, learned.dirs ?? [])) return { kind: 'listed', path: p };
  }
  const env = [...learned.env];
  const known = new Set(env.map((e) => e.name));
  for (const [name] of t.env) {
    if (known.has(name) || (RUST_UNKEYED_ENV.has(name) && !readByProcMacro(t, name, opts.toolchain))) continue;
    known.add(name);
    env.push({ name, value: opts.env.get(name) ?? null });
  }
  return { kind: 'ok', learned: { ...learned, absent: [...absent].sort(), env } };
}

/**
 * The variables above are unkeyed because rustc's own use of them cannot change its outputs;
 * a proc-macro's can (one that embeds PATH, or the recursion count rustup's proxy sets). rustc
 * reads them in the same process, so the trace's caller tells them apart: code of an object
 * rustc loaded with dlopen (a proc-macro) that is not the toolchain's. The tracer's own two
 * are never keyed (fill-env-leak.ts refuses an output that holds them).
 */
function readByProcMacro(t: LookupTrace, name: string, toolchain: readonly string[]): boolean {
  if (name === 'LD_PRELOAD' || name === 'REPRISE_TRACE') return false;
  return [...(t.envCallers.get(name) ?? [])].some((o) => t.loaded.has(o) && !under(o, toolchain));
}

/** What a traced fill that did not come out `ok` did, for the log. */
export function untracedWhat(t: Exclude<RustTraced, { kind: 'ok' }>): string {
  switch (t.kind) {
    case 'hid': return `it looked for ${t.paths[0]}, which the view hid`;
    case 'listed': return `it listed ${t.path}, which the view lists as declared`;
    case 'program': return `it ran ${t.path}, which is not the toolchain's`;
    case 'wrote': return `it wrote (or tried to write) ${t.path}, which a hit would not`;
    case 'embedded': return `its output holds ${t.value}, which only the fill's environment had`;
    case 'environ': return `it read ${t.path}, the whole environment`;
    case 'incomplete': return 'its lookup trace is incomplete';
  }
}

/** The linker drivers and the programs they run (gcc's collect2, ld, lto-wrapper; clang's), by name. */
const LINKER_PROGRAM = /^(?:[\w.-]+-)?(?:cc|gcc|g\+\+|c\+\+|clang|clang\+\+|collect2|lto-wrapper|ld|ld\.gold|ld\.bfd|ld\.lld|lld|rust-lld|as)(?:-[\d.]+)?$/;

/**
 * Whether an exec the trace saw (absolute, or a bare name the C library searched PATH for)
 * ran the toolchain: a file the view shows as the toolchain's (rustc, the linker named by
 * its identity), our own shim (rustc's `cc` on PATH: on the host, the same real one), or a
 * linker driver's own program found on PATH.
 */
function toolchainProgram(x: string, toolchain: readonly string[], pathDirs: readonly string[]): boolean {
  const found = x.startsWith('/') ? x : pathDirs.map((d) => `${d}/${x}`).find((p) => existsSync(p));
  if (found === undefined) return LINKER_PROGRAM.test(x); // nothing there: the exec failed, as on the host
  return under(found, toolchain) || isShim(found) || LINKER_PROGRAM.test(basename(found));
}

function isShim(path: string): boolean {
  try {
    return realpathSync(path) === realpathSync(installPaths.shimBinary);
  } catch {
    return false;
  }
}
