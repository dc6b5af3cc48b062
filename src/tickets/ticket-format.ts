import { crc32 } from 'node:zlib';
import { TICKET_MAGIC, TicketCheck, TicketSource } from '../protocol/frames.js';

/** What stat says of a file or directory; a ticket check compares every field. */
export interface NodeStamp {
  dev: bigint;
  ino: bigint;
  /** 0 for a directory (its size is not compared). */
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

/** One condition the shim checks before it replays; the first that fails sends the call to the daemon. */
export type TicketCheckSpec =
  /** `digest` (BLAKE3, 32 bytes): a file with another stamp passes when its content has this digest. */
  | { kind: 'file'; path: string; stamp: NodeStamp; digest?: Buffer }
  /** `path` is a name in the directory of the dir-guard before it. */
  | { kind: 'absent'; path: string }
  | { kind: 'present'; path: string }
  /** When `path` is missing, not a directory, or has exactly `stamp`, the next `covers` checks (absent ones) are skipped. */
  | { kind: 'dir-guard'; path: string; stamp: NodeStamp; covers: number }
  | { kind: 'same-node'; path: string; dev: bigint; ino: bigint }
  /** `path` and `other` both stat to one (dev, ino), or not, as `same` says. */
  | { kind: 'same-dir'; path: string; other: string; same: boolean };

/** A store blob the shim copies, after checking that it is the same file and still holds the same bytes. */
export interface TicketBlob {
  path: string;
  dev: bigint;
  ino: bigint;
  size: number;
  crc: number;
}

export interface TicketOutput {
  /** Absolute. */
  path: string;
  /** The file's final mode (the caller's umask applied). */
  mode: number;
  content: { data: Buffer } | { blob: TicketBlob };
}

/**
 * Everything the shim needs to replay one hit on its own (docs/protocol.md, "Hit tickets"):
 * the exact CALL it answers, the checks that prove the daemon would serve the same result,
 * the outputs, the messages, and the line it appends to the hits log.
 */
export interface Ticket {
  payload: Buffer;
  hitLine: string;
  checks: TicketCheckSpec[];
  outputs: TicketOutput[];
  stdout: Buffer;
  stderr: Buffer;
}

const EMPTY = Buffer.alloc(0);
const CHECK_CODE = { file: TicketCheck.FILE, absent: TicketCheck.ABSENT, present: TicketCheck.PRESENT, 'dir-guard': TicketCheck.DIR_GUARD, 'same-node': TicketCheck.SAME_NODE, 'same-dir': TicketCheck.SAME_DIR } as const;

/**
 * The file format, little-endian: magic, then length-prefixed (u32) byte strings and
 * fixed-width numbers in the order written below, then a CRC-32 of everything before it.
 * An absent check's path is a name in the directory of the guard before it.
 */
export function encodeTicket(t: Ticket): Buffer {
  let buf = Buffer.allocUnsafe(64 * 1024);
  let at = 0;
  const room = (n: number): void => {
    if (at + n <= buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, at + n));
    buf.copy(bigger, 0, 0, at);
    buf = bigger;
  };
  const u8 = (v: number): void => {
    room(1);
    buf[at++] = v;
  };
  const u32 = (v: number): void => {
    room(4);
    at = buf.writeUInt32LE(v >>> 0, at);
  };
  const u64 = (v: bigint): void => {
    room(8);
    at = buf.writeBigUInt64LE(BigInt.asUintN(64, v), at);
  };
  const bytes = (b: Buffer): void => {
    u32(b.length);
    room(b.length);
    at += b.copy(buf, at);
  };
  const str = (v: string): void => {
    const n = Buffer.byteLength(v, 'utf8');
    u32(n);
    room(n);
    at += buf.write(v, at, 'utf8');
  };
  const stamp = (s: NodeStamp): void => [s.dev, s.ino, s.size, s.mtimeNs, s.ctimeNs].forEach(u64);

  room(4);
  at += buf.write(TICKET_MAGIC, at, 'latin1');
  bytes(t.payload);
  str(t.hitLine);
  u32(t.checks.length);
  for (const c of t.checks) {
    u8(CHECK_CODE[c.kind]);
    str(c.path);
    if (c.kind === 'file') {
      stamp(c.stamp);
      bytes(c.digest ?? EMPTY);
    }
    else if (c.kind === 'dir-guard') {
      u32(c.covers);
      stamp(c.stamp);
    } else if (c.kind === 'same-node') {
      u64(c.dev);
      u64(c.ino);
    } else if (c.kind === 'same-dir') {
      str(c.other);
      u8(c.same ? 1 : 0);
    }
  }
  u32(t.outputs.length);
  for (const o of t.outputs) {
    str(o.path);
    u32(o.mode);
    if ('data' in o.content) {
      u8(TicketSource.INLINE);
      bytes(o.content.data);
    } else {
      const b = o.content.blob;
      u8(TicketSource.BLOB);
      str(b.path);
      u64(b.dev);
      u64(b.ino);
      u64(BigInt(b.size));
      u32(b.crc);
    }
  }
  bytes(t.stdout);
  bytes(t.stderr);
  u32(crc32(buf.subarray(0, at)));
  return buf.subarray(0, at);
}

/** The ticket's file name: FNV-1a 64 of the CALL payload, as 16 hex digits (the shim computes the same). */
export function ticketName(payload: Buffer): string {
  // 16-bit limbs keep every product exact in a double: (h * 0x100000001b3) mod 2^64.
  let h0 = 0x2325, h1 = 0x8422, h2 = 0x9ce4, h3 = 0xcbf2;
  for (const byte of payload) {
    h0 ^= byte;
    const t0 = h0 * 0x1b3;
    let t1 = h1 * 0x1b3;
    let t2 = h2 * 0x1b3 + (h0 << 8);
    const t3 = h3 * 0x1b3 + (h1 << 8);
    t1 += t0 >>> 16;
    h0 = t0 & 0xffff;
    t2 += t1 >>> 16;
    h1 = t1 & 0xffff;
    h3 = (t3 + (t2 >>> 16)) & 0xffff;
    h2 = t2 & 0xffff;
  }
  return [h3, h2, h1, h0].map((l) => l.toString(16).padStart(4, '0')).join('');
}
