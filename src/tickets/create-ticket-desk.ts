import { mkdirSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { atomicWrite } from '../store/local/atomic-write.js';
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
import { createCallActivity } from './call-activity.js';

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
   * Writes the ticket for this CALL payload once calls have paused (call-activity.ts: never
   * while a build keeps the daemon busy), unless `build` then gives none. `why` is
   * what `reprise why` records for each of its hits.
   */
  issue(payload: Buffer, build: (socket: SocketNode, name: string) => Promise<Ticket | undefined>, why: TicketWhy): void;
  /** The record a hit replayed from ticket `name` adds to `reprise why`, while the ticket is known. */
  whyOf(name: string): TicketWhy | undefined;
  /** This call was served otherwise: a ticket for it (now stale) is removed. */
  withdraw(payload: () => Buffer): void;
  /** Removes every ticket (cache clear). */
  wipe(): void;
  /** Removes every ticket and issues no more (daemon stop). */
  close(): void;
  /** The hits the shims logged since the last take. */
  takeHits(): ShimHit[];
  /** A call came in: no ticket is written until it ends and calls pause. Returns its end. */
  busy(): () => void;
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
/** Tickets waiting to be written; past this the oldest are dropped (each holds its call's paths and stamps). */
const MAX_PENDING = 4096;

interface Pending {
  build: (socket: SocketNode, name: string) => Promise<Ticket | undefined>;
  why: TicketWhy;
}

export function createTicketDesk(o: TicketDeskOptions): TicketDesk {
  const { tickets: dir, hits: hitsFile } = runtimePaths(o.runtimeDir);
  let socket: SocketNode | undefined;
  const issued = new LRUCache<string, { bytes: number; why: TicketWhy }>({
    max: o.maxTickets ?? 8192,
    maxSize: o.maxBytes ?? 64 << 20,
    sizeCalculation: (t) => Math.max(1, t.bytes),
    dispose: (_bytes, name, reason) => {
      if (reason !== 'set') remove(name);
    },
  });
  const pending = new Map<string, Pending>();
  // Issued on the hit path, named (hashing the whole CALL payload) only once calls pause.
  let unnamed: Array<Pending & { payload: Buffer }> = [];
  const nameAll = (): void => {
    for (const u of unnamed) {
      const name = ticketName(u.payload);
      pending.delete(name); // the newest facts go last
      pending.set(name, { build: u.build, why: u.why });
    }
    unnamed = [];
    while (pending.size > MAX_PENDING) pending.delete(pending.keys().next().value!);
  };
  const activity = createCallActivity();
  let timer: NodeJS.Timeout | undefined;
  let draining = false;

  /** Tickets are written once calls pause (call-activity.ts); a call in flight asks again when it ends. */
  function schedule(): void {
    if (timer || draining) return;
    const wait = activity.untilQuiet();
    if (wait !== Infinity) timer = setTimeout(whenQuiet, Math.max(1, wait));
  }

  function whenQuiet(): void {
    timer = undefined;
    if (activity.untilQuiet() === 0) return void drain();
    schedule();
  }

  /** Writes the pending tickets one per turn of the loop, and stops when calls come again. */
  async function drain(): Promise<void> {
    draining = true;
    try {
      nameAll();
      for (const [name, p] of pending) {
        if (activity.untilQuiet() !== 0) break;
        pending.delete(name);
        const at = socket;
        if (!at) break;
        await new Promise((r) => setImmediate(r));
        try {
          const ticket = await p.build(at, name);
          if (socket !== at) break; // closed or reopened meanwhile
          if (!ticket) {
            issued.delete(name);
            continue;
          }
          const bytes = encodeTicket(ticket);
          if (bytes.length > MAX_TICKET_BYTES) {
            issued.delete(name);
            continue;
          }
          await atomicWrite(join(dir, name), bytes, dir); // a shim reads the old ticket or the new one, never half of one
          issued.set(name, { bytes: bytes.length, why: p.why });
        } catch (e) {
          o.log.debug(`ticket not written: ${(e as Error).message}`);
          issued.delete(name);
        }
      }
    } finally {
      draining = false;
      if (pending.size > 0 || unnamed.length > 0) schedule();
    }
  }

  function remove(name: string): void {
    try {
      unlinkSync(join(dir, name));
    } catch {
      /* gone */
    }
  }

  function wipeDir(): void {
    pending.clear();
    unnamed = [];
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
      unnamed.push({ payload, build, why });
      if (unnamed.length > MAX_PENDING) unnamed.shift();
      schedule();
    },
    whyOf: (name) => issued.peek(name)?.why,
    withdraw(payload) {
      if (issued.size === 0 && pending.size === 0 && unnamed.length === 0) return;
      const bytes = payload();
      if (unnamed.length > 0) unnamed = unnamed.filter((u) => !u.payload.equals(bytes));
      const name = ticketName(bytes);
      pending.delete(name);
      issued.delete(name);
    },
    wipe: wipeDir,
    close() {
      socket = undefined;
      if (timer) clearTimeout(timer);
      timer = undefined;
      wipeDir();
    },
    takeHits: () => parseHitLog(takeFile(hitsFile)),
    busy() {
      const end = activity.start();
      return () => {
        end();
        if (pending.size > 0 || unnamed.length > 0) schedule();
      };
    },
  };
}
