import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../../daemon/logger.js';
import { goIndexLine, type GoIndexEntry } from './go-index-line.js';

/** What the daemon remembers of each line it wrote: the entry, and the blob digest its path holds. */
export interface GoIndexRecord {
  entry: GoIndexEntry;
  digest: string;
  /** When its action-cache entry was last written, read or touched (Date.now()): recency is refreshed at most every few minutes. */
  touchedAt: number;
}

/**
 * The go index (docs/protocol.md, "The go index"): the daemon appends a line for every Go
 * entry it stores or serves, and each GOCACHEPROG child reads the file once at start-up and
 * answers the gets it names itself, while their store files keep the stamps the lines give.
 * It is only ever appended to or replaced whole (a child maps it), starts empty with each
 * daemon, and is emptied whenever the store loses entries (clear, eviction).
 *
 * A file that starts with the line `R1 ALL` is complete: the store holds no Go entry that it
 * has no line for (nor does any remote tier), so a child answers a get it names no line for
 * as a miss itself, with no round trip (a cold build's gets, each a wait for go). That holds
 * from a store that had no Go entries (a new one, or one cleared) for as long as this daemon
 * keeps every line; `ac/go-entries` marks a store that has had Go entries, and is made before
 * the first one is written. Doubt makes a file incomplete, and costs hits, never a wrong answer.
 */
export interface GoIndex {
  /**
   * An empty index in place of the old one (children that mapped the old one keep reading it):
   * at the daemon's start, after the store was cleared, or after it lost entries (evicted).
   */
  reset(why?: 'start' | 'cleared' | 'lost'): void;
  /** Before a Go entry is written to the store: it now has Go entries (the mark is made once). */
  willStore(): void;
  /** Appends the line for this entry, unless the last one written for its action ID says the same. */
  note(entry: GoIndexEntry, digest: string): void;
  get(actionId: string): GoIndexRecord | undefined;
  /** Removes the file (the daemon is stopping: no child may serve from it without one). */
  close(): void;
}

/** Past this many lines the index starts over (a child reads all of it at start-up); served entries come back as they are served. */
const MAX_LINES = 20_000;

/** The first line of a complete index (shims/go-index.c): not an entry line for any reader. */
export const GO_INDEX_COMPLETE = 'R1 ALL\n';

export interface GoIndexOptions {
  /** `ac/go-entries` of the store: present once the store has held a Go entry. */
  marker: string;
  /** No remote tier could answer a Go get. */
  localOnly: boolean;
}

export function createGoIndex(path: string, log: Logger, opts?: GoIndexOptions): GoIndex {
  let fd: number | undefined;
  let lines = 0;
  let marked = false;
  const records = new Map<string, GoIndexRecord>();

  function shut(): void {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* closed */
      }
    }
    fd = undefined;
  }

  function reset(why: 'start' | 'cleared' | 'lost' = 'lost'): void {
    shut();
    records.clear();
    lines = 0;
    if (why !== 'lost') marked = false; // cleared: the mark went with the entries; start: look again
    let complete = false;
    try {
      complete = !!opts?.localOnly && why !== 'lost' && !existsSync(opts.marker);
    } catch {
      complete = false;
    }
    try {
      // Replaced by a rename, never truncated: a child that mapped the old file must not lose pages under it.
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, complete ? GO_INDEX_COMPLETE : '', { mode: 0o600 });
      renameSync(tmp, path);
      fd = openSync(path, 'a');
    } catch (e) {
      log.debug(`go index: ${(e as Error).message}`);
      shut();
    }
  }

  return {
    reset,
    willStore() {
      if (marked || !opts) return;
      try {
        if (!existsSync(opts.marker)) {
          mkdirSync(dirname(opts.marker), { recursive: true });
          writeFileSync(opts.marker, '');
        }
        marked = true;
      } catch (e) {
        // Without the mark a later daemon may take the store for one without Go entries: lost hits, never wrong ones.
        log.debug(`go index: ${(e as Error).message}`);
      }
    },
    note(entry, digest) {
      const known = records.get(entry.actionId);
      if (known && sameEntry(known.entry, entry)) {
        known.touchedAt = Date.now(); // the daemon just stored or read its entry
        return;
      }
      const line = goIndexLine(entry);
      if (!line || fd === undefined) return;
      if (lines >= MAX_LINES) reset();
      if (fd === undefined) return;
      try {
        writeSync(fd, line); // one write of one line on an O_APPEND file: a reader sees it whole, or not at all (then its CRC fails)
        lines += 1;
        records.set(entry.actionId, { entry, digest, touchedAt: Date.now() });
      } catch (e) {
        log.debug(`go index: ${(e as Error).message}`);
        reset(); // a partial line is skipped by its CRC; start clean anyway
      }
    },
    get: (actionId) => records.get(actionId),
    close() {
      shut();
      records.clear();
      rmSync(path, { force: true });
    },
  };
}

function sameEntry(a: GoIndexEntry, b: GoIndexEntry): boolean {
  return a.outputId === b.outputId && a.size === b.size && a.time === b.time && a.dev === b.dev && a.ino === b.ino && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.path === b.path;
}
