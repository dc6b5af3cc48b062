// The local store's upkeep: recency, size and eviction (docs/stats.md, README "Cache size").

/** The areas of one digest function's directory that hold entries, named after their folders (`why`: the records of `reprise why`, limited and cleared like the rest). */
export const STORE_AREAS = ['manifests', 'ac', 'cas', 'why'] as const;
export type StoreArea = (typeof STORE_AREAS)[number];

/**
 * What the stores report as they are used. Both calls are cheap and do no I/O, so they
 * can sit on the hit path; the bookkeeping happens later, off the request path.
 */
export interface UsageSink {
  /** A hit used this entry: refresh its recency (its file's mtime) soon. */
  touch(area: StoreArea, key: string): void;
  /** The store grew (or shrank, when negative) by this many bytes. */
  grew(bytes: number): void;
}

/** One entry file, as a scan of the store sees it. */
export interface StoreFile {
  area: StoreArea;
  key: string;
  path: string;
  size: number;
  mtimeMs: number;
}

/** What a scan found: the total, and every entry's age and size (to choose what to evict). */
export interface StoreMeasure {
  bytes: number;
  entries: number;
  mtimes: number[];
  sizes: number[];
}

export interface RemovalCount {
  entries: number;
  bytes: number;
}

export interface GcReport {
  /** The limit eviction went down to (0: none). */
  maxBytes: number;
  evicted: RemovalCount;
  /** Temp files (and leftovers of an interrupted clear) older than an hour. */
  staleTemp: RemovalCount;
  /** The store's size afterwards. */
  bytes: number;
}

/** The store's size as `reprise stats` shows it. */
export interface StoreSize {
  dir: string;
  /** Bytes of entries (file sizes); a running total, exact after each scan. */
  bytes: number;
  /** REPRISE_MAX_SIZE; 0 means no limit. */
  maxBytes: number;
  /** True while the start-up scan runs: bytes is then a lower bound. */
  scanning: boolean;
}

/** The daemon's side of the store's upkeep. */
export interface StoreUsage extends UsageSink {
  /** Measures the store in the background (and evicts when it is over the limit). */
  start(): void;
  size(): StoreSize;
  /** Evicts down to maxBytes (default: the configured limit) and removes stale temp files, now. */
  gc(maxBytes?: number): Promise<GcReport>;
  /** Removes every entry of this directory. */
  clear(): Promise<RemovalCount>;
  /** Stops background work and writes pending recency updates. */
  close(): Promise<void>;
}
