import { realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * An output file's record name: absolute, with its directory resolved through symlinks, so
 * `-o link/x.o` from one directory and `reprise why real/x.o` from another find the same
 * record. The file itself need not exist (a build may have deleted it). `dirs` memoises
 * resolved directories across calls (one batch of records: most share a few directories).
 */
export async function canonicalOutputPath(cwd: string, path: string, dirs?: Map<string, Promise<string>>): Promise<string> {
  const abs = resolve(cwd, path);
  const dir = dirname(abs);
  let real = dirs?.get(dir);
  if (!real) {
    real = realpath(dir).catch(() => dir);
    dirs?.set(dir, real);
  }
  return join(await real, basename(abs));
}
