import { copyFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Host files frozen for one compile: what it is shown, where each was read from, and the snapshots to remove. */
export interface PinnedFiles {
  binds: Array<{ src: string; dst: string }>;
  /** Host path → its snapshot: the bytes the compile read there. */
  snapshot: Map<string, string>;
  release(): void;
}

/**
 * Snapshots files a compile may read while the build rewrites them (a split's module
 * compiled ahead reads interfaces whose own jobs still run): a copy of each, shown over the
 * host's file inside the sandbox. A copy, not a hard link: linking changes the host file's
 * ctime, which would count as a change to every other compile that reads it. Undefined when
 * one was written inside the compile's window already: what was read there could not be told
 * apart from what is there now.
 */
export function pinFiles(paths: readonly string[], scratchDir: string, startedAtNs: bigint): PinnedFiles | undefined {
  const tag = randomBytes(6).toString('hex');
  const binds: PinnedFiles['binds'] = [];
  const snapshot = new Map<string, string>();
  const made: string[] = [];
  const release = (): void => {
    for (const m of made) rmSync(m, { force: true });
  };
  for (const [i, path] of paths.entries()) {
    let dst: string;
    try {
      dst = join(realpathSync(dirname(path)), basename(path));
    } catch {
      continue;
    }
    const before = statSync(dst, { bigint: true, throwIfNoEntry: false });
    if (!before) continue; // not there: nothing to pin
    if (before.mtimeNs >= startedAtNs || before.ctimeNs >= startedAtNs) return fail();
    const src = join(scratchDir, `${tag}-pin${i}-${basename(path)}`); // the suffix kept: digests go by it
    try {
      copyFileSync(dst, src);
      made.push(src);
    } catch {
      return fail();
    }
    // Replaced or written while copied: the copy may hold bytes written inside the window.
    const after = statSync(dst, { bigint: true, throwIfNoEntry: false });
    if (!after || after.ino !== before.ino || after.mtimeNs !== before.mtimeNs || after.ctimeNs !== before.ctimeNs) return fail();
    binds.push({ src, dst });
    snapshot.set(path, src);
    snapshot.set(dst, src);
  }
  return { binds, snapshot, release };

  function fail(): undefined {
    release();
    return undefined;
  }
}
