import { changedSince } from './store-compile.js';

/**
 * Whether every input still holds the bytes it was digested with before the compile ran.
 * One whose times fall inside the compile's window (from startNs) is hashed again: a file
 * written a moment before the compile began (cargo starts a dependant the moment an rmeta
 * appears; go writes an importcfg just before running compile) has a time the coarse clock
 * cannot order, and bytes equal before and after the compile are the bytes it read. Only
 * sound for digests taken before the compile began.
 */
export async function inputsUnchanged(inputs: Iterable<{ path: string; digest: string }>, startNs: bigint, digest: (path: string) => Promise<string | undefined>): Promise<boolean> {
  for (const i of inputs) {
    if (!changedSince(i.path, startNs)) continue;
    if ((await digest(i.path)) !== i.digest) return false;
  }
  return true;
}
