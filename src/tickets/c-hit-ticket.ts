import { statSync, type BigIntStats } from 'node:fs';
import { crc32 } from 'node:zlib';
import { dirStamp, isTrustedStamp, noneIn, type AbsentDir } from '../pipeline/absent-set.js';
import { isUnsettled } from '../hashing/settle-window.js';
import { hitLine, type ShimHit } from './hit-log.js';
import type { NodeStamp, Ticket, TicketCheckSpec, TicketOutput } from './ticket-format.js';

/**
 * What a C hit was served under, gathered on the hit path from memos (no I/O): the files
 * with the stamps they were checked at, and what had to stay absent or present.
 */
export interface CHitFacts {
  payload: Buffer;
  hit: Omit<ShimHit, 'ticket'>;
  /** A $PWD other than the cwd: whether it named the cwd decided the directory the key spells (make-invocation.ts). */
  pwd?: { path: string; cwd: string; same: boolean };
  /**
   * Every file the hit depended on (the tool's parts, the source, each input) with the stamp
   * it was validated under, and for those the shim may check by content, their BLAKE3 digest (hex).
   */
  files: ReadonlyArray<{ path: string; stamp: string; digest?: string }>;
  absent: readonly AbsentDir[];
  present: readonly string[];
  /** Search directories of different kinds that must still be two directories (aliased-search-dir.ts). */
  distinctDirs?: ReadonlyArray<readonly [string, string]>;
  /** As written for the caller; `blob` when the bytes are the store's blob unchanged. */
  outputs: ReadonlyArray<{ path: string; mode: number; data: Buffer; blob?: string }>;
  stdout: Buffer;
  stderr: Buffer;
}

/** The daemon's socket as bound: a ticket is only good while the daemon that wrote it is the one listening. */
export interface SocketNode {
  path: string;
  dev: bigint;
  ino: bigint;
}

/**
 * The ticket for a C hit or fill, or undefined when the shim could not check it as the
 * daemon does. Runs once calls pause: a directory still at the stamp its manifest entry
 * was checked against vouches for its absent names as it does for the daemon; any other
 * directory's stamp is taken first and its names are checked after, so that stamp vouches.
 */
export function buildCTicket(f: CHitFacts, name: string, socket: SocketNode, nowNs = BigInt(Date.now()) * 1_000_000n): Ticket | undefined {
  const checks: TicketCheckSpec[] = [{ kind: 'same-node', path: socket.path, dev: socket.dev, ino: socket.ino }];
  if (f.pwd) checks.push({ kind: 'same-dir', path: f.pwd.path, other: f.pwd.cwd, same: f.pwd.same });
  for (const [path, other] of f.distinctDirs ?? []) checks.push({ kind: 'same-dir', path, other, same: false });
  const seen = new Set<string>();
  for (const file of f.files) {
    if (seen.has(file.path)) continue;
    seen.add(file.path);
    const stamp = parseFileStamp(file.stamp);
    // A stamp this young may not show the next write (settle-window.ts): the daemon hashes such a file every time.
    if (!stamp || isUnsettled(stamp.mtimeNs, stamp.ctimeNs, nowNs)) return undefined;
    checks.push({ kind: 'file', path: file.path, stamp, ...(file.digest ? { digest: Buffer.from(file.digest, 'hex') } : {}) });
  }
  for (const g of f.absent) {
    const now = dirStamp(g.dir, nowNs);
    const trusted = isTrustedStamp(now);
    // No directory (or a file there): nothing can be in it. Still at the stamp the entry was
    // checked against: the daemon takes the names as absent on it alone, so does the ticket.
    // Otherwise the stamp is taken before the names are checked: a later change to the directory changes it.
    const vouched = now === 'missing' || now === 'not-a-directory' || (trusted && now === g.stamp);
    if (!vouched && !noneIn(g.dir, g.names)) return undefined;
    const stamp = (trusted && parseDirStamp(now)) || NEVER;
    checks.push({ kind: 'dir-guard', path: g.dir, stamp, covers: g.names.length }, ...g.names.map((path) => ({ kind: 'absent' as const, path })));
  }
  for (const path of f.present) {
    if (!statOf(path)) return undefined;
    checks.push({ kind: 'present', path });
  }
  const outputs: TicketOutput[] = [];
  for (const o of f.outputs) {
    if (!o.blob) {
      outputs.push({ path: o.path, mode: o.mode, content: { data: o.data } });
      continue;
    }
    const st = statOf(o.blob);
    if (!st?.isFile() || st.size !== BigInt(o.data.length)) return undefined;
    outputs.push({ path: o.path, mode: o.mode, content: { blob: { path: o.blob, dev: st.dev, ino: st.ino, size: o.data.length, crc: crc32(o.data) } } });
  }
  return { payload: f.payload, hitLine: hitLine({ ticket: name, ...f.hit }), checks, outputs, stdout: f.stdout, stderr: f.stderr };
}

/** A stamp no directory has: the guard never vouches, so each name is checked. */
const NEVER: NodeStamp = { dev: 0n, ino: 0n, size: 0n, mtimeNs: 0n, ctimeNs: 0n };

function statOf(path: string): BigIntStats | undefined {
  try {
    return statSync(path, { bigint: true, throwIfNoEntry: false });
  } catch {
    return undefined; // ENOTDIR and the like: nothing there
  }
}

/** A trusted dirStamp, `dev:ino:mtimeNs:ctimeNs` (a directory's size is not compared). */
function parseDirStamp(s: string): NodeStamp | undefined {
  const m = /^(\d+):(\d+):(-?\d+):(-?\d+)$/.exec(s);
  return m ? { dev: BigInt(m[1]!), ino: BigInt(m[2]!), size: 0n, mtimeNs: BigInt(m[3]!), ctimeNs: BigInt(m[4]!) } : undefined;
}

/** A FileDigestCache stamp, `dev:ino:size:mtimeNs:ctimeNs`. */
export function parseFileStamp(s: string): NodeStamp | undefined {
  const m = /^(\d+):(\d+):(\d+):(-?\d+):(-?\d+)$/.exec(s);
  return m ? { dev: BigInt(m[1]!), ino: BigInt(m[2]!), size: BigInt(m[3]!), mtimeNs: BigInt(m[4]!), ctimeNs: BigInt(m[5]!) } : undefined;
}
