import { isDigestHex } from '../hashing/create-hasher.js';

/** One hit a shim replayed from a ticket: the ticket's prepared line, appended to the runtime dir's `hits` file. */
export interface ShimHit {
  /** The ticket's name (ticketName). */
  ticket: string;
  tool: string;
  durationMs: number;
  resultKey: string;
  manifestKey: string;
  /** The store blobs it copied (their recency is refreshed). */
  blobs: string[];
}

/** The line a ticket carries for its hit: `TICKET TOOL DURATION_MS RESULT_KEY MANIFEST_KEY [BLOB...]`. */
export function hitLine(h: ShimHit): string {
  return `${[h.ticket, h.tool, String(Math.max(0, Math.round(h.durationMs))), h.resultKey, h.manifestKey, ...h.blobs].join(' ')}\n`;
}

/** Parses the `hits` file; junk lines (a torn write, a hand edit) are skipped. */
export function parseHitLog(text: string): ShimHit[] {
  const out: ShimHit[] = [];
  for (const line of text.split('\n')) {
    const [ticket, tool, duration, resultKey, manifestKey, ...blobs] = line.split(' ');
    if (!ticket || !/^[0-9a-f]{16}$/.test(ticket) || !tool || tool.length > 255 || !/^\d{1,10}$/.test(duration ?? '')) continue;
    if (!resultKey || !isDigestHex(resultKey) || !manifestKey || !isDigestHex(manifestKey) || !blobs.every(isDigestHex)) continue;
    out.push({ ticket, tool, durationMs: Number(duration), resultKey, manifestKey, blobs });
  }
  return out;
}
