import { stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { clearStore } from './clear-store.js';
import { evict } from './evict.js';
import { measureStore } from './measure-store.js';
import { removeStaleTemp } from './remove-stale-temp.js';
import { STORE_AREAS, type GcReport, type RemovalCount, type StoreArea, type StoreUsage } from './types.js';

export interface StoreUsageOptions {
  /** One digest function's directory. */
  dir: string;
  /** REPRISE_MAX_SIZE; 0 means no limit. */
  maxBytes: number;
  /** Told after every eviction that removed something. */
  onEvicted?: (removed: RemovalCount, bytesLeft: number) => void;
  /** Told about failures of background work (the store keeps serving). */
  onError?: (e: Error) => void;
  /** Wait before the start-up scan, so that the first calls have the disk to themselves. */
  startDelayMs?: number;
  /** How long touches gather before their mtimes are written. */
  touchDelayMs?: number;
}

/** Automatic eviction goes this far below the limit, so that it runs once per tenth of the limit written, not per store. */
const LOW_WATER = 0.9;
/** After an eviction that could not get under the limit, wait this long before the next automatic one. */
const RETRY_MS = 30_000;
const UTIMES_BATCH = 8;

/**
 * Keeps the local store under its size limit with least-recently-used eviction, all of it
 * off the request path. Hits only note what they used (a Set insert); a timer later
 * refreshes those files' mtimes, which is the recency eviction reads (as ccache does). The
 * size is a running total: measured by a background scan at start, grown by every store,
 * and measured again by each eviction. Maintenance (scan, eviction, gc, clear) runs one
 * task at a time.
 */
export function createStoreUsage(o: StoreUsageOptions): StoreUsage {
  const startDelayMs = o.startDelayMs ?? 500;
  const touchDelayMs = o.touchDelayMs ?? 1000;
  let pending = newPending();
  /** Touches since the current eviction measured the store: spared, whatever their mtime says. */
  let protect: Set<string> | undefined;
  let touchTimer: NodeJS.Timeout | undefined;
  let startTimer: NodeJS.Timeout | undefined;
  let total = 0;
  /** Every byte ever reported by grew(), to tell what was written while a scan ran. */
  let grown = 0;
  let measured = false;
  let scanning = false;
  let trimQueued = false;
  let retryAfter = 0;
  const abort = new AbortController();
  let chain: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(task: () => Promise<T>): Promise<T> => {
    const p = chain.then(task);
    chain = p.catch(() => undefined);
    return p;
  };
  const pathOf = (area: StoreArea, key: string): string => join(o.dir, area, key.slice(0, 2), key.slice(2));
  const reportError = (e: unknown): void => {
    if (!abort.signal.aborted) o.onError?.(e as Error);
  };

  let flushing: Promise<void> = Promise.resolve();
  /**
   * Writes the gathered touches, after any flush still writing: a trim's flush must not return
   * while the timer's are under way, or its measure reads the old mtimes of entries hit just
   * before and evicts them first.
   */
  function flushTouches(): Promise<void> {
    const next = flushing.then(writeTouches, writeTouches);
    flushing = next.catch(() => undefined);
    return next;
  }

  async function writeTouches(): Promise<void> {
    if (touchTimer) clearTimeout(touchTimer);
    touchTimer = undefined;
    const taken = pending;
    pending = newPending();
    for (const area of STORE_AREAS) {
      const touched = [...taken[area]];
      for (let i = 0; i < touched.length; i += UTIMES_BATCH) {
        // Each file gets the time it was used, not this flush's (an entry stored after a hit but
        // before the flush is the more recent one), and never an older time than it has (written
        // again since). A file evicted or cleared meanwhile has nothing to refresh.
        await Promise.all(touched.slice(i, i + UTIMES_BATCH).map(([k, at]) => refresh(pathOf(area, k), at)));
      }
    }
  }

  /** Measures the store and, when it holds more than `above` bytes, evicts down to `downTo`. */
  async function trim(above: number, downTo: number): Promise<{ evicted: RemovalCount; bytes: number }> {
    // Spared from before the flush: a touch that comes while it writes is not in it.
    const spared = (protect = new Set());
    try {
      await flushTouches();
      const grownBefore = grown;
      const m = await measureStore(o.dir, abort.signal);
      // What was stored while the scan ran counts toward the target too (the rest of the entry
      // whose first file crossed the limit, most often), though the scan may have seen some of
      // it: eviction then goes a little lower, never stopping short of the low-water mark.
      const landed = grown - grownBefore;
      const evicted = m.bytes + landed > above
        ? await evict(o.dir, m, Math.max(0, downTo - landed), { signal: abort.signal, skip: (area, key) => spared.has(`${area}/${key}`) })
        : { entries: 0, bytes: 0 };
      // Stores during the scan count too (one in a directory not yet scanned counts twice, until the next scan).
      total = m.bytes - evicted.bytes + (grown - grownBefore);
      measured = true;
      if (evicted.entries > 0) o.onEvicted?.(evicted, total);
      return { evicted, bytes: total };
    } finally {
      protect = undefined;
    }
  }

  function maybeTrim(): void {
    if (!measured || trimQueued || o.maxBytes === 0 || total <= o.maxBytes || Date.now() < retryAfter) return;
    trimQueued = true;
    // After the reply: the store that crossed the limit finishes first.
    setImmediate(() => {
      exclusive(() => trim(o.maxBytes, Math.floor(o.maxBytes * LOW_WATER)))
        .then(() => {
          if (total > o.maxBytes) retryAfter = Date.now() + RETRY_MS;
        })
        .catch(reportError)
        .finally(() => (trimQueued = false));
    });
  }

  return {
    touch(area, key) {
      pending[area].set(key, Date.now());
      protect?.add(`${area}/${key}`);
      if (!touchTimer) {
        touchTimer = setTimeout(() => void flushTouches().catch(reportError), touchDelayMs);
        touchTimer.unref();
      }
    },
    grew(bytes) {
      total += bytes;
      grown += bytes;
      maybeTrim();
    },
    start() {
      if (startTimer || measured) return;
      scanning = true;
      startTimer = setTimeout(() => {
        exclusive(async () => {
          await removeStaleTemp(o.dir);
          await trim(o.maxBytes === 0 ? Infinity : o.maxBytes, Math.floor(o.maxBytes * LOW_WATER));
        })
          .catch(reportError)
          .finally(() => {
            scanning = false;
            maybeTrim();
          });
      }, startDelayMs);
      startTimer.unref();
    },
    size: () => ({ dir: o.dir, bytes: Math.max(0, total), maxBytes: o.maxBytes, scanning }),
    gc(maxBytes = o.maxBytes) {
      return exclusive(async (): Promise<GcReport> => {
        const t = await trim(maxBytes === 0 ? Infinity : maxBytes, maxBytes);
        const staleTemp = await removeStaleTemp(o.dir);
        retryAfter = 0;
        return { maxBytes, evicted: t.evicted, staleTemp, bytes: t.bytes };
      });
    },
    clear() {
      return exclusive(async () => {
        pending = newPending(); // nothing left to refresh
        const grownBefore = grown;
        const removed = await clearStore(o.dir);
        total = grown - grownBefore;
        measured = true;
        return removed;
      });
    },
    async close() {
      abort.abort();
      if (startTimer) clearTimeout(startTimer);
      await flushTouches().catch(() => undefined);
    },
  };
}

async function refresh(path: string, atMs: number): Promise<void> {
  try {
    if ((await stat(path)).mtimeMs < atMs) await utimes(path, atMs / 1000, atMs / 1000);
  } catch {
    /* gone */
  }
}

/** Touched keys by area, each with when it was last used (ms). */
function newPending(): Record<StoreArea, Map<string, number>> {
  return { manifests: new Map(), ac: new Map(), cas: new Map(), why: new Map() };
}
