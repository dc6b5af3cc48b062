// The mismatch log: records appended by the daemon are read back from a moment on, and a
// line that is not a record is reported with its place and reason, not skipped silently.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { appendMismatch, mismatchLogPath, readMismatches } from '../../src/verify/mismatch-log.js';
import type { VerifyMismatch } from '../../src/verify/types.js';

test('records since a time, oldest first; unreadable lines named', async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'reprise-verify-log-'));
  try {
    const path = mismatchLogPath(cacheDir, 'blake3');
    assert.equal(path, join(cacheDir, 'blake3', 'verify', 'mismatches.jsonl'));
    assert.deepEqual(readMismatches(path, new Date(0)), { mismatches: [], bad: [] });
    const at = (t: string): VerifyMismatch => ({
      schema: 1, at: t, tool: 'gcc', file: '/w/a.o', cwd: '/w', resultKey: 'cd'.repeat(32), differs: [{ what: 'stdout' }], hint: 'compiler-nondeterminism',
    });
    await appendMismatch(path, at('2026-01-05T10:00:00.000Z'));
    appendFileSync(path, '{"schema":1,"at":\n');
    await appendMismatch(path, at('2026-01-05T11:00:00.000Z'));
    await appendMismatch(path, at('2026-01-05T12:00:00.000Z'));
    const r = readMismatches(path, new Date('2026-01-05T11:00:00.000Z'));
    assert.deepEqual(r.mismatches.map((m) => m.at), ['2026-01-05T11:00:00.000Z', '2026-01-05T12:00:00.000Z']);
    assert.equal(r.bad.length, 1);
    assert.match(r.bad[0]!, /mismatches\.jsonl:2: not JSON/);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
