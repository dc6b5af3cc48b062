import type { BuiltKey } from '../../keying/key-builder.js';
import type { RecordedCall } from '../../why/create-compile-recorder.js';
import type { CacheContext } from '../cache-context.js';

/** What a fill's store gave: the result key it was stored under, or why it was not stored. */
export type StoreOutcome = string | { resultKey: string };

/** Counts a fill as a miss (stored) or as uncacheable for its reason, and records it for `reprise why`. */
export function countStored(ctx: CacheContext, c: RecordedCall, key: BuiltKey, stored: StoreOutcome): void {
  if (typeof stored === 'string') {
    ctx.stats.uncacheable(c.tool, stored);
    ctx.why.notStored(c, key, stored);
  } else {
    ctx.stats.bumpTool(c.tool, 'miss');
    ctx.why.miss(c, key, stored.resultKey);
  }
}
