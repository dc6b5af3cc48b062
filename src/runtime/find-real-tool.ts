import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';
import { installPaths } from './install-paths.js';

export interface FindOptions {
  /** REPRISE_SHIM_SKIP of the call: `,dev:ino` items of tools an enclosing shim ran (shim-skip-env.ts). */
  skip?: string;
  /** Another shim binary to pass by, as the shim passes itself (one of another checkout's builds). */
  self?: string;
}

/**
 * The real tool a shim would run (shims/shim.c, resolve_tool): the first executable regular
 * file NAME on PATH that is not a shim binary (by device and inode), nor a tool an
 * enclosing shim ran, nor another compiler cache's masquerade link.
 */
export function findRealTool(name: string, path = process.env.PATH ?? '', opts: FindOptions = {}): string | undefined {
  const shims = [installPaths.shimBinary, ...(opts.self ? [opts.self] : [])].flatMap((p) => {
    const st = statSync(p, { throwIfNoEntry: false });
    return st ? [`${st.dev}:${st.ino}`] : [];
  });
  const skipped = new Set((opts.skip ?? '').split(',').filter((s) => s !== ''));
  for (const dir of path.split(delimiter)) {
    const p = join(dir || '.', name);
    try {
      const st = statSync(p);
      const id = `${st.dev}:${st.ino}`;
      if (!st.isFile() || shims.includes(id) || skipped.has(id) || otherCache(p)) continue;
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** ccache's or sccache's masquerade link finds NAME on PATH again, which may be a shim: the shim passes it by. */
function otherCache(path: string): boolean {
  try {
    const b = basename(realpathSync(path));
    return b === 'ccache' || b === 'sccache';
  } catch {
    return false;
  }
}
