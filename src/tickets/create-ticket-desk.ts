import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../daemon/logger.js';
import type { BuiltKey } from '../keying/key-builder.js';
import type { RecordedCall } from '../why/create-compile-recorder.js';
import { takeFile } from '../runtime/take-file.js';
import { runtimePaths } from '../runtime/runtime-paths.js';
import type { SocketNode } from './c-hit-ticket.js';
import { parseHitLog, type ShimHit } from './hit-log.js';
import { encodeTicket, ticketName, type Ticket } from './ticket-format.js';

/**
 * The daemon's side of hit tickets (docs/protocol.md, "Hit tickets"): after a hit it
 * writes a file the shim can replay the same call from, and it takes the hits the shims
 * logged. Tickets are a shortcut only: any that is missing, stale or damaged sends the
 * call to the daemon as before.
 */
export interface TicketDesk {
  /** Starts issuing for the daemon bound at `socket`; tickets left by an earlier daemon are removed. */
  open(socket: SocketNode): void;
  /**
   * Writes the ticket for this CALL payload after the current turn (off the request path),
   * unless `build` gives none. `why` is what `reprise why` records for each of its hits.
   */
  issue(payload: Buffer, build: (socket: SocketNode, name: string) => Ticket | undefined, why: TicketWhy): void;
  /** The record a hit replayed from ticket `name` adds to `reprise why`, while the ticket is known. */
  whyOf(name: string): TicketWhy | undefined;
  /** This call was served otherwise: a ticket for it (now stale) is removed. */
  withdraw(payload: Buffer): void;
  /** Removes every ticket (cache clear). */
  wipe(): void;
  /** Removes every ticket and issues no more (daemon stop). */
  close(): void;
  /** The hits the shims logged since the last take. */
  takeHits(): ShimHit[];
}

/** What the compile recorder needs for a hit (CompileRecorder.hit). */
export interface TicketWhy {
  call: RecordedCall;
  key: BuiltKey;
  resultKey: string;
}

export interface TicketDeskOptions {
  runtimeDir: string;
  log: Logger;
  /** How many tickets to keep (least recently issued go first). */
  maxTickets?: number;
  /** And how many bytes, in all: they live in the runtime directory, often a tmpfs. */
  maxBytes?: number;
}

/** A ticket above this size is not written: a hit that big gains little from skipping the daemon. */
const MAX_TICKET_BYTES = 1 << 20;

export function createTicketDesk(o: TicketDeskOptions): TicketDesk {
  const { tickets: dir, hits: hitsFile } = runtimePaths(o.runtimeDir);
  let socket: SocketNode | undefined;
  const issued = new LRUCache<string, { bytes: number; why: TicketWhy }>({
    max: o.maxTickets ?? 20_000,
    maxSize: o.maxBytes ?? 64 << 20,
    sizeCalculation: (t) => Math.max(1, t.bytes),
    dispose: (_bytes, name, reason) => {
      if (reason !== 'set') remove(name);
    },
  });
  let serial = 0;

  function remove(name: string): void {
    try {
      unlinkSync(join(dir, name));
    } catch {
      /* gone */
    }
  }

  function write(name: string, bytes: Buffer): void {
    const tmp = join(dir, `.${name}.${process.pid}.${(serial++).toString(36)}`);
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(dir, name)); // a shim reads the old ticket or the new one, never half of one
  }

  function wipeDir(): void {
    issued.clear();
    try {
      for (const name of readdirSync(dir)) rmSync(join(dir, name), { force: true });
    } catch {
      /* no directory yet */
    }
  }

  return {
    open(s) {
      wipeDir();
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      socket = s;
    },
    issue(payload, build, why) {
      if (!socket) return;
      const at = socket;
      setImmediate(() => {
        if (socket !== at) return; // closed or reopened meanwhile
        const name = ticketName(payload);
        try {
          const ticket = build(at, name);
          if (!ticket) return void issued.delete(name);
          const bytes = encodeTicket(ticket);
          if (bytes.length > MAX_TICKET_BYTES) return void issued.delete(name);
          write(name, bytes);
          issued.set(name, { bytes: bytes.length, why });
        } catch (e) {
          o.log.debug(`ticket not written: ${(e as Error).message}`);
          issued.delete(name);
        }
      });
    },
    whyOf: (name) => issued.peek(name)?.why,
    withdraw(payload) {
      if (issued.size > 0) issued.delete(ticketName(payload));
    },
    wipe: wipeDir,
    close() {
      socket = undefined;
      wipeDir();
    },
    takeHits: () => parseHitLog(takeFile(hitsFile)),
  };
}
