import type { FileDigest, FileDigestCache } from './file-digest-cache.js';

/** Files read at once: enough to keep the thread pool busy, few enough that a list of thousands is never in memory together. */
const AT_ONCE = 16;

/**
 * Each path's digest (undefined where it is missing or not a regular file), in order. Memoised
 * ones are taken without an await; the rest are read side by side: one after another, each read
 * waits out the thread pool's queue, which at a build's start a toolchain being hashed fills.
 */
export async function digestAll<S>(files: FileDigestCache<S>, paths: readonly string[]): Promise<Array<FileDigest<S> | undefined>> {
  const out = paths.map((p) => files.peek(p));
  const todo = out.flatMap((d, i) => (d ? [] : [i]));
  let next = 0;
  const reader = async (): Promise<void> => {
    while (next < todo.length) {
      const i = todo[next++]!;
      out[i] = await files.digest(paths[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(AT_ONCE, todo.length) }, reader));
  return out;
}
