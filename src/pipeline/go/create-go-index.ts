import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from '../../daemon/logger.js';
import { goIndexLine, parseGoIndexLine, type GoIndexEntry } from './go-index-line.js';

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
 * the first one is written. A daemon that stops with a complete index leaves it in the store
 * (`ac/go-index.saved`), and the next one starts from it: a crash leaves none, and the store
 * is then taken as one with entries it has no lines for. Doubt makes a file incomplete, and
 * costs hits, never a wrong answer.
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
  /** Removes the file (the daemon is stopping: no child may serve from it without one); a complete one is saved in the store first. */
  close(): void;
}

/** Past this many lines the index starts over (a child reads all of it at start-up); served entries come back as they are served. */
const MAX_LINES = 20_000;

/** The first line of a complete index (shims/go-index.c): not an entry line for any reader. */
export const GO_INDEX_COMPLETE = 'R1 ALL\n';

export interface GoIndexOptions {
  /** `ac/go-entries` of the store: present once the store has held a Go entry. */
  marker: string;
  /** `ac/go-index.saved`: the complete index a daemon left as it stopped (in ac/, so a clear takes it with the entries). */
  saved: string;
  /** No remote tier could answer a Go get. */
  localOnly: boolean;
}

export function createGoIndex(path: string, log: Logger, opts?: GoIndexOptions): GoIndex {
  let fd: number | undefined;
  let lines = 0;
  let marked = false;
  /** The current file starts with GO_INDEX_COMPLETE, and every line since was written. */
  let complete = false;
  const records = new Map<string, GoIndexRecord>();

  /**
   * The entries of the index the last daemon saved as it stopped, when it is whole (every line
   * an entry's): the store has no Go entry it has no line for. Taken once: the file is removed.
   */
  function restore(): Array<{ entry: GoIndexEntry; digest: string }> | undefined {
    if (!opts) return undefined;
    let text: string;
    try {
      text = readFileSync(opts.saved, 'utf8');
    } catch {
      return undefined;
    } finally {
      rmSync(opts.saved, { force: true });
    }
    if (!text.startsWith(GO_INDEX_COMPLETE) || !text.endsWith('\n')) return undefined;
    const out: Array<{ entry: GoIndexEntry; digest: string }> = [];
    for (const line of text.slice(GO_INDEX_COMPLETE.length, -1).split('\n')) {
      if (line === '') continue;
      const entry = parseGoIndexLine(line);
      const digest = entry && basename(dirname(entry.path)) + basename(entry.path); // cas/ab/cdef… (entry-path.ts)
      if (!entry || !digest || !/^[0-9a-f]{64}$/.test(digest)) return undefined;
      out.push({ entry, digest });
    }
    return out;
  }

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
    complete = false;
    let restored: ReturnType<typeof restore>;
    try {
      const saved = why === 'start' ? restore() : undefined; // taken (and removed) in any case
      const unmarked = why !== 'lost' && !!opts && !existsSync(opts.marker);
      if (opts?.localOnly && why === 'start' && !unmarked) restored = saved;
      complete = !!opts?.localOnly && (unmarked || restored !== undefined);
    } catch {
      complete = false;
    }
    let text = complete ? GO_INDEX_COMPLETE : '';
    for (const r of restored ?? []) {
      text += goIndexLine(r.entry) ?? '';
      records.set(r.entry.actionId, { entry: r.entry, digest: r.digest, touchedAt: 0 });
      lines += 1;
    }
    try {
      // Replaced by a rename, never truncated: a child that mapped the old file must not lose pages under it.
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, text, { mode: 0o600 });
      renameSync(tmp, path);
      fd = openSync(path, 'a');
    } catch (e) {
      log.debug(`go index: ${(e as Error).message}`);
      shut();
      records.clear();
      complete = false;
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
      if (complete && opts) {
        try {
          const tmp = `${opts.saved}.${process.pid}.tmp`;
          copyFileSync(path, tmp); // the runtime dir is often another file system
          renameSync(tmp, opts.saved);
        } catch (e) {
          log.debug(`go index: not saved: ${(e as Error).message}`);
        }
      }
      records.clear();
      rmSync(path, { force: true });
    },
  };
}

function sameEntry(a: GoIndexEntry, b: GoIndexEntry): boolean {
  return a.outputId === b.outputId && a.size === b.size && a.time === b.time && a.dev === b.dev && a.ino === b.ino && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.path === b.path;
}
