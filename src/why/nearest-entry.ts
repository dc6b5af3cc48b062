import type { ManifestEntry } from '../pipeline/manifest.js';
import { diffHeaders, type InputSet } from './diff-compiles.js';

/** A stored entry of one direct key, with its paths as they named files for the compile it is compared with. */
export interface Candidate {
  entry: ManifestEntry;
  set: InputSet;
  /** Bound to directories other than the compile's. */
  boundElsewhere: boolean;
}

/**
 * The entry nearest to a compile among the others stored under its direct key: fewest
 * differences in the files read and the paths probed, one more for an entry bound to other
 * directories. `own` is the compile's own entry when it was stored; then entries stored
 * before it (later in the manifest, which lists the newest first) come first: those were
 * there when it looked and did not match. Without `own`, the files are not compared.
 */
export function nearestEntry(candidates: readonly Candidate[], ownResultKey: string | undefined, own: InputSet | undefined): { candidate: Candidate; later: boolean } | undefined {
  const at = candidates.findIndex((c) => c.entry.resultKey === ownResultKey);
  const earlier = at < 0 ? candidates : candidates.slice(at + 1);
  const later = at < 0 ? [] : candidates.slice(0, at);
  const cost = (c: Candidate): number => (own ? diffHeaders(c.set, own).length : 0) + (c.boundElsewhere ? 1 : 0);
  for (const [pool, isLater] of [[earlier, false], [later, true]] as const) {
    let best: Candidate | undefined;
    let bestCost = Infinity;
    for (const c of pool) {
      const n = cost(c);
      if (n < bestCost) [best, bestCost] = [c, n];
    }
    if (best) return { candidate: best, later: isLater };
  }
  return undefined;
}
