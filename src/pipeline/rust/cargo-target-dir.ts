import { existsSync } from 'node:fs';
import { dirname, normalize } from 'node:path';
import { LRUCache } from 'lru-cache';

/**
 * Characters a path may hold and still be spelled the same in every text rustc writes
 * (dep-info escapes spaces, JSON escapes quotes and backslashes): only then can a target
 * directory be replaced in that text by another one.
 */
const PLAIN_PATH = /^(?:\/[A-Za-z0-9._+,@=~-]+)+$/;

const found = new LRUCache<string, string>({ max: 256 });

/**
 * The cargo target directory that holds an output directory: the nearest of the directory
 * and its three parents (`deps`, `<profile>`, `<triple>`) that holds CACHEDIR.TAG, which
 * cargo writes at the top of every target directory. Undefined for other builds, and for
 * a directory whose spelling is not plain (PLAIN_PATH). Found directories are memoised;
 * the answer only decides how the key spells paths, never what is served.
 */
export function cargoTargetDir(outDir: string): string | undefined {
  const known = found.get(outDir);
  if (known !== undefined) return known;
  let dir = outDir;
  for (let up = 0; up < 4 && dir !== '/'; up++, dir = dirname(dir)) {
    if (!existsSync(`${dir}/CACHEDIR.TAG`)) continue;
    if (!PLAIN_PATH.test(dir) || normalize(dir) !== dir || dir.split('/').includes('..')) return undefined;
    found.set(outDir, dir);
    return dir;
  }
  return undefined;
}
