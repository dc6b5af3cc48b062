import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** bubblewrap: REPRISE_BWRAP, else the first on the daemon's PATH, else where Debian puts it. */
export function findBwrap(env: NodeJS.ProcessEnv = process.env): string {
  if (env.REPRISE_BWRAP) return env.REPRISE_BWRAP;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    try {
      accessSync(join(dir, 'bwrap'), constants.X_OK);
      return join(dir, 'bwrap');
    } catch {
      /* next */
    }
  }
  return '/usr/bin/bwrap';
}
