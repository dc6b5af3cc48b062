import { appendFile, mkdir, rename, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BadMismatchRecord, parseVerifyMismatch } from './parse-verify-mismatch.js';
import type { VerifyMismatch } from './types.js';

/** Past this size the log starts afresh, keeping one older generation (a nondeterministic build sampled for months must not fill the disk). */
const ROTATE_BYTES = 4 << 20;

/** Where the mismatches of one digest function's cache are recorded. Not a store area: eviction and `reprise cache clear` leave it. */
export function mismatchLogPath(cacheDir: string, digest: string): string {
  return join(cacheDir, digest, 'verify', 'mismatches.jsonl');
}

/** Appends one record as one line (the daemon is the only writer). */
export async function appendMismatch(path: string, m: VerifyMismatch): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const size = (await stat(path).catch(() => undefined))?.size ?? 0;
  if (size > ROTATE_BYTES) await rename(path, oldGeneration(path));
  await appendFile(path, `${JSON.stringify(m)}\n`, { mode: 0o600 });
}

/** The records found at or after `since`, oldest first, and a message for each line that is not a record. */
export function readMismatches(path: string, since: Date): { mismatches: VerifyMismatch[]; bad: string[] } {
  const mismatches: VerifyMismatch[] = [];
  const bad: string[] = [];
  for (const file of [oldGeneration(path), path]) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // none recorded yet
    }
    text.split('\n').forEach((line, i) => {
      if (line === '') return;
      try {
        const m = parseVerifyMismatch(line);
        if (Date.parse(m.at) >= since.getTime()) mismatches.push(m);
      } catch (e) {
        if (!(e instanceof BadMismatchRecord)) throw e;
        bad.push(`${file}:${i + 1}: ${e.message}`);
      }
    });
  }
  return { mismatches, bad };
}

function oldGeneration(path: string): string {
  return path.replace(/\.jsonl$/, '.old.jsonl');
}
