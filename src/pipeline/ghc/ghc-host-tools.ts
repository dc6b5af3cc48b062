// What a `ghc -c` runs and loads besides ghc's library directory, so that it travels in a
// remote action's root (docs/remote-execution.md, "GHC"): the C toolchain ghc's settings name
// (the C compiler, which ghc runs to preprocess CPP modules, to assemble, to ask the linker's
// version and to link what a splice loads, and the object merger for foreign stubs) with the
// programs it runs, the headers cc1 includes unasked (stdc-predef.h), and the shared libraries
// of ghc and of those programs but glibc's own (the executor's loader must match them; glibc's
// development files stay the executor's, checked by their digests). They lie in the executor's
// system directories, where `reprise serve` adds them to its own (place-root-at-slash.ts), so
// an executor without ghc or gcc installed runs the compile.
import { statSync } from 'node:fs';
import { basename, dirname, isAbsolute } from 'node:path';
import { LRUCache } from 'lru-cache';
import { findOnPath } from '../../exec/find-on-path.js';
import { GLIBC, realDirPath } from '../../exec/remote/executor-own-files.js';
import { outputOf, sharedLibraries } from '../../exec/toolchain-files.js';
import { walk } from './ghc-root-files.js';

/** The `ghc --info` fields that name a gcc-like driver a module compile may run. */
const DRIVERS = ['C compiler command', 'Haskell CPP command'];
/**
 * Programs a gcc driver runs for ghc: cc1 to preprocess, as to assemble, and collect2 and ld to
 * link (ghc asks the linker's version, and links home code a splice runs into a shared object).
 */
const DRIVER_PROGRAMS = ['cc1', 'as', 'collect2', 'ld', 'lto-wrapper'];
/** In gcc's private directory, what such a link and compile read besides the programs: headers, start files, libgcc, the LTO plugin ld loads. */
const PRIVATE_FILES = /\/(?:include(?:-fixed)?\/.*|crt[^/]*\.o|libgcc[^/]*|liblto_plugin\.so[.\d]*)$/;
/** Fields that name other programs a module compile may run (ld -r merges a module's foreign stubs into its object). */
const OTHERS = ['Merge objects command', 'ld command'];

/** Host paths: the files, and directories that must be there though the root holds nothing in them. */
export interface HostTools {
  files: string[];
  dirs: string[];
}

const known = new LRUCache<string, { stamp: string; files: Promise<HostTools> }>({ max: 16 });

/** Memoised by the programs' stats: each toolchain is asked about once per daemon. */
export function ghcHostTools(info: string, ghc: string, env: ReadonlyMap<string, string>): Promise<HostTools> {
  const path = env.get('PATH');
  const fields = new Map([...info.matchAll(/\("([^"]+)","([^"]*)"\)/g)].map((m) => [m[1]!, m[2]!]));
  const find = (name: string | undefined): string | undefined => (!name ? undefined : isAbsolute(name) ? name : findOnPath(name, path));
  const drivers = [...new Set(DRIVERS.map((f) => find(fields.get(f))).filter((p): p is string => p !== undefined))];
  const others = [...new Set(OTHERS.map((f) => find(fields.get(f))).filter((p): p is string => p !== undefined))];
  const programs = [ghc, ...drivers, ...others];
  const stamp = programs.map((p) => `${p}:${statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? 'gone'}`).join('\0');
  const key = `${ghc}\0${info}\0${path ?? ''}`;
  const hit = known.get(key);
  if (hit?.stamp === stamp) return hit.files;
  // The linker ghc's link flags choose (-fuse-ld=gold: collect2 looks for ld.gold).
  const linkers = [...(fields.get('C compiler link flags') ?? '').matchAll(/-fuse-ld=(\S+)/g)].map((m) => `ld.${m[1]!}`);
  const files = collect(ghc, drivers, [...DRIVER_PROGRAMS, ...linkers], others, Object.fromEntries(env));
  known.set(key, { stamp, files });
  files.catch(() => known.delete(key));
  return files;
}

async function collect(ghc: string, drivers: readonly string[], driverPrograms: readonly string[], others: readonly string[], env: NodeJS.ProcessEnv): Promise<HostTools> {
  const out = new Set<string>();
  const dirs = new Set<string>();
  const add = (p: string): void => void out.add(realDirPath(p));
  const withLibraries = async (program: string): Promise<void> => {
    add(program);
    for (const lib of await sharedLibraries(program)) if (!GLIBC.test(basename(lib))) add(lib);
  };
  for (const program of [ghc, ...others]) await withLibraries(program);
  for (const driver of drivers) {
    await withLibraries(driver);
    const named = await Promise.all(driverPrograms.map((p) => outputOf(driver, [`-print-prog-name=${p}`], env)));
    const programs = named.map((n) => n.trim()).flatMap((n) => (n === '' ? [] : [isAbsolute(n) ? n : findOnPath(n, env.PATH)])).filter((p): p is string => p !== undefined);
    for (const p of programs) await withLibraries(p);
    // The other compilers (cc1plus, lto1), the runtime libraries of other languages and the plugin headers stay out.
    const libgcc = (await outputOf(driver, ['-print-libgcc-file-name'], env)).trim();
    if (isAbsolute(libgcc)) for (const f of walk(dirname(libgcc), 'gcc-private', (p) => PRIVATE_FILES.test(p))) add(f);
    // What cc1 includes without being asked (stdc-predef.h), as a preprocessing of nothing lists it.
    const deps = await outputOf(driver, ['-E', '-M', '-x', 'c', '/dev/null'], env);
    for (const d of deps.replace(/\\\n/g, ' ').split(/\s+/)) if (d.startsWith('/') && d !== '/dev/null' && statSync(d, { throwIfNoEntry: false })?.isFile()) add(d);
    // cc1 looks at each directory of its search list: they are there as here, though the root holds no header of them.
    const verbose = await outputOf(driver, ['-E', '-v', '-x', 'c', '/dev/null'], env, true);
    const list = /#include <\.\.\.> search starts here:\n((?: \S+\n)*)/.exec(verbose)?.[1] ?? '';
    for (const d of list.split('\n').map((l) => l.trim())) if (d.startsWith('/') && statSync(d, { throwIfNoEntry: false })?.isDirectory()) dirs.add(realDirPath(d));
  }
  return { files: [...out].sort(), dirs: [...dirs].sort() };
}
