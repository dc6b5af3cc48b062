import { realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * An output file's record name: absolute, with its directory resolved through symlinks, so
 * `-o link/x.o` from one directory and `reprise why real/x.o` from another find the same
 * record. The file itself need not exist (a build may have deleted it).
 */
export async function canonicalOutputPath(cwd: string, path: string): Promise<string> {
  const abs = resolve(cwd, path);
  try {
    return join(await realpath(dirname(abs)), basename(abs));
  } catch {
    return abs;
  }
}
