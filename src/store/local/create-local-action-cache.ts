import { parseActionResult } from '../parse-action-result.js';
import type { ActionCache } from '../types.js';
import { createLocalJsonStore } from './create-local-json-store.js';
import type { UsageSink } from './types.js';

export interface LocalActionCacheOptions {
  dir: string;
  onCorrupt?: (key: string) => void;
  /** Told of every result read and of every byte stored (for LRU eviction). */
  usage?: UsageSink;
}

/**
 * Action results as JSON files under dir/ac/ab/cdef…; a malformed entry is deleted and reads
 * as a miss. Recent results stay parsed in memory: a result only names blobs, and every
 * blob is verified when read, so a memoised result can never serve wrong bytes.
 */
export function createLocalActionCache(opts: LocalActionCacheOptions): ActionCache {
  return createLocalJsonStore(opts.dir, 'ac', { parse: parseActionResult, memo: true, ...(opts.onCorrupt ? { onCorrupt: opts.onCorrupt } : {}), ...(opts.usage ? { usage: opts.usage } : {}) });
}
