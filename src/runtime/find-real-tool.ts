import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { installPaths } from './install-paths.js';

/** The real tool a shim would run: the first NAME on PATH that is not the shim binary itself (by inode, as the shim does). */
export function findRealTool(name: string, path = process.env.PATH ?? ''): string | undefined {
  let shim: { dev: number; ino: number } | undefined;
  try {
    shim = statSync(installPaths.shimBinary);
  } catch {
    /* not built */
  }
  for (const dir of path.split(delimiter)) {
    const p = join(dir || '.', name);
    try {
      const st = statSync(p);
      if (!st.isFile() || (shim && st.dev === shim.dev && st.ino === shim.ino)) continue;
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}
