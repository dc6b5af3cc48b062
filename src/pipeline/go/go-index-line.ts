import { crc32 } from 'node:zlib';

/**
 * One line of the go index (the runtime dir's `go-index`): what the GOCACHEPROG child needs
 * to answer a get itself (shims/cacheprog.c), and the stamp of the store file it names as
 * the daemon verified it. The child serves the line only while that file still has exactly
 * this stamp, so a line that outlived its file (evicted, replaced, rewritten) is a miss on
 * the child's side and goes to the daemon.
 */
export interface GoIndexEntry {
  /** go's action ID, base64 as go sends it (32 bytes). */
  actionId: string;
  /** go's output ID, base64 (32 bytes). */
  outputId: string;
  size: number;
  /** The put's time (RFC 3339), returned to go on every hit. */
  time: string;
  dev: bigint;
  ino: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  /** The store file go reads in place (DiskPath). */
  path: string;
}

/** Every line starts with this (a format change makes old lines unreadable, never misread). */
export const GO_INDEX_TAG = 'R1';
const ID = /^[A-Za-z0-9+/]{43}=$/;
const TIME = /^[0-9TZ:.+-]{1,64}$/;

/**
 * `R1 CRC ACTION OUTPUT SIZE TIME DEV INO MTIME_NS CTIME_NS PATH\n`: CRC is the CRC-32 (hex)
 * of everything after it up to the newline, so a torn or damaged line is skipped. Undefined
 * when the entry cannot be written as a line (a path with a newline).
 */
export function goIndexLine(e: GoIndexEntry): string | undefined {
  if (!ID.test(e.actionId) || !ID.test(e.outputId) || !TIME.test(e.time) || !Number.isSafeInteger(e.size) || e.size < 0) return undefined;
  if (!e.path.startsWith('/') || /[\n\r\0]/.test(e.path)) return undefined;
  const body = [e.actionId, e.outputId, e.size, e.time, e.dev, e.ino, e.mtimeNs, e.ctimeNs, e.path].join(' ');
  return `${GO_INDEX_TAG} ${crc32(body).toString(16).padStart(8, '0')} ${body}\n`;
}

/** The reverse, for tests and tools: undefined for a line the child would skip. */
export function parseGoIndexLine(line: string): GoIndexEntry | undefined {
  const m = /^R1 ([0-9a-f]{8}) (.*)$/.exec(line);
  if (!m || crc32(m[2]!).toString(16).padStart(8, '0') !== m[1]) return undefined;
  const f = m[2]!.split(' ');
  if (f.length < 9) return undefined;
  const [actionId, outputId, size, time, dev, ino, mtimeNs, ctimeNs] = f as [string, string, string, string, string, string, string, string];
  if (![size, dev, ino, mtimeNs, ctimeNs].every((x) => /^\d{1,20}$/.test(x))) return undefined;
  const e: GoIndexEntry = { actionId, outputId, size: Number(size), time, dev: BigInt(dev), ino: BigInt(ino), mtimeNs: BigInt(mtimeNs), ctimeNs: BigInt(ctimeNs), path: f.slice(8).join(' ') };
  return goIndexLine(e) === `${line}\n` ? e : undefined;
}
