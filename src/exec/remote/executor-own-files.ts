// What an action takes from the executor's own system rather than from its input root, in
// every language: glibc's libraries (the loader that runs the programs is the executor's, and
// must match them) and the loader's and locale files (the action runs in the C locale unless
// its environment says otherwise).
import { realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** glibc's own libraries. */
export const GLIBC = /^(ld-linux[^/]*|libc|libm|libmvec|libpthread|libdl|librt|libresolv|libutil|libanl)\.so(\.\d+)*$/;
/** Loader and locale files. */
export const HOST_ONLY = [/^\/etc\//, /^\/usr\/lib\/locale(\/|$)/, /^\/usr\/share\/locale(\/|$)/, /\/gconv(\/|$)/];

/** True for a host path the executor answers for itself. */
export function fromExecutor(path: string): boolean {
  return GLIBC.test(basename(path)) || HOST_ONLY.some((re) => re.test(path));
}

/**
 * The path by its directory's real path, under the name it is called by (ldd's
 * /lib/x86_64-linux-gnu is /usr/lib/x86_64-linux-gnu on a merged /usr). `dirs`: directories'
 * real paths already asked (null: none), for callers that ask about many files in few directories.
 */
export function realDirPath(path: string, dirs?: Map<string, string | null>): string {
  const dir = dirname(path);
  let real = dirs?.get(dir);
  if (real === undefined) {
    try {
      real = realpathSync(dir);
    } catch {
      real = null;
    }
    dirs?.set(dir, real);
  }
  return real === null ? path : join(real, basename(path));
}
