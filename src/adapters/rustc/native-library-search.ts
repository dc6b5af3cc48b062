import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RustJob } from './types.js';

/** Where the native libraries `-l` names were found, and where they were looked for first and were not. */
export interface NativeLibrarySearch {
  /** The files found, absolute. */
  found: string[];
  /** The paths searched before them (and beside them, a shared object before an archive), absolute: one created there would be found instead. */
  absent: string[];
}

/**
 * The native libraries a compile reads that its dep-info does not list:
 *  - each `-l static=NAME`: rustc itself looks for libNAME.a (NAME with +verbatim) in the
 *    `-L native=`/`-L all=` directories, in order, and copies it into an rlib or a
 *    staticlib, or hands it to the linker (a build script's `cargo:rustc-link-lib`, as the
 *    cc crate writes it, is this);
 *  - for a compile that links, each other `-l NAME` the linker finds in a `-L` directory
 *    (rustc passes them all): libNAME.so and libNAME.a from the first that has either, as
 *    GNU ld looks in each directory for the shared object, then the archive.
 * Libraries in none of these directories are the linker's to find in its own (the
 * toolchain's), and its dependency file names them; every `-L` path it passed by then is
 * absent, since a library created there would come first.
 */
export function nativeLibrarySearch(job: Pick<RustJob, 'nativeLibs' | 'searchDirs' | 'links'>, cwd: string): NativeLibrarySearch {
  const dirs = (kinds: readonly string[] | undefined): string[] =>
    job.searchDirs.filter((d) => !kinds || kinds.includes(d.kind)).map((d) => resolve(cwd, d.path));
  const found: string[] = [];
  const absent: string[] = [];
  const search = (where: readonly string[], names: readonly string[]): void => {
    for (const d of where) {
      const paths = names.map((n) => join(d, n));
      const here = paths.filter((p) => existsSync(p));
      if (here.length === 0) {
        absent.push(...paths);
        continue;
      }
      found.push(...here);
      // An archive found alone: a shared object beside it would be taken first.
      if (!existsSync(paths[0]!)) absent.push(paths[0]!);
      return;
    }
  };
  for (const lib of job.nativeLibs) {
    if (lib.kind === 'static') search(dirs(['native', 'all']), [lib.verbatim ? lib.name : `lib${lib.name}.a`]);
    else if (job.links) search(dirs(undefined), lib.verbatim ? [lib.name] : [`lib${lib.name}.so`, `lib${lib.name}.a`]);
  }
  return { found: [...new Set(found)], absent: [...new Set(absent)].filter((p) => !found.includes(p)) };
}
