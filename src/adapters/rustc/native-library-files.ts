import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RustJob } from './types.js';

/**
 * The native libraries a compile reads that its dep-info does not list, absolute:
 *  - each `-l static=NAME`: rustc itself looks for libNAME.a (NAME with +verbatim) in the
 *    `-L native=`/`-L all=` directories, in order, and copies it into an rlib or a
 *    staticlib, or hands it to the linker (a build script's `cargo:rustc-link-lib`, as the
 *    cc crate writes it, is this);
 *  - for a compile that links, each other `-l NAME` the linker finds in a `-L` directory
 *    (rustc passes them all): libNAME.so and libNAME.a from the first that has either.
 * Libraries in none of these directories are the linker's to find in its own (the
 * toolchain's), and its dependency file names them.
 */
export function nativeLibraryFiles(job: Pick<RustJob, 'nativeLibs' | 'searchDirs' | 'links'>, cwd: string): string[] {
  const dirs = (kinds: readonly string[] | undefined): string[] =>
    job.searchDirs.filter((d) => !kinds || kinds.includes(d.kind)).map((d) => resolve(cwd, d.path));
  const found: string[] = [];
  for (const lib of job.nativeLibs) {
    if (lib.kind === 'static') {
      const file = lib.verbatim ? lib.name : `lib${lib.name}.a`;
      const hit = dirs(['native', 'all']).map((d) => join(d, file)).find((p) => existsSync(p));
      if (hit) found.push(hit);
    } else if (job.links) {
      const names = lib.verbatim ? [lib.name] : [`lib${lib.name}.so`, `lib${lib.name}.a`];
      for (const d of dirs(undefined)) {
        const here = names.map((n) => join(d, n)).filter((p) => existsSync(p));
        if (here.length === 0) continue;
        found.push(...here);
        break;
      }
    }
  }
  return [...new Set(found)];
}
