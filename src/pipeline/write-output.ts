import { randomBytes } from 'node:crypto';
import { chmod, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Writes a replayed output as the compiler would have: the caller's umask applied to
 * 0666, a fresh mtime (make and ninja compare them), and never a half-written file at
 * the path (a temp file beside it, then rename). /dev/null and other non-files are
 * written in place.
 */
export async function writeOutput(path: string, data: Buffer, umask: number, isRegularTarget: boolean): Promise<void> {
  const mode = 0o666 & ~umask;
  if (!isRegularTarget) {
    await writeFile(path, data);
    return;
  }
  const tmp = join(dirname(path), `.reprise-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data, { mode });
    await chmod(tmp, mode); // writeFile's mode is filtered by the daemon's umask, not the caller's
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}
