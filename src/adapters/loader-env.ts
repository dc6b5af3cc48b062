import { installPaths } from '../runtime/install-paths.js';

/**
 * Whether the caller set LD_PRELOAD (other than reprise's own tracer, as in a compile a
 * traced fill runs) or LD_AUDIT. The loader puts those libraries into the compiler and every
 * program it runs, where they can change any output; the key holds none of their bytes, and
 * no trace sees them loaded (the loader opens them, not the C library). Such a call is not
 * stored: `loader-env`.
 */
export function loaderEnv(env: ReadonlyMap<string, string>): boolean {
  const preload = (env.get('LD_PRELOAD') ?? '').split(/[: ]/).filter((p) => p !== '' && p !== installPaths.lookupTrace);
  return preload.length > 0 || (env.get('LD_AUDIT') ?? '') !== '';
}
