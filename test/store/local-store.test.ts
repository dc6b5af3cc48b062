// The local CAS and action cache: round trips, verification on read, corruption handling.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { digestBytes } from '../../src/hashing/create-hasher.js';
import { DIGEST_ALGORITHMS } from '../../src/hashing/types.js';
import { createLocalActionCache } from '../../src/store/local/create-local-action-cache.js';
import { createLocalCas } from '../../src/store/local/create-local-cas.js';
import type { ActionResult } from '../../src/store/types.js';

const dir = mkdtempSync(join(tmpdir(), 'reprise-store-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

for (const algorithm of DIGEST_ALGORITHMS) {
  test(`${algorithm}: CAS round trip, findMissing, and a corrupt blob is deleted and reported`, async () => {
    const corrupt: string[] = [];
    const cas = createLocalCas({ dir: join(dir, algorithm), algorithm, onCorrupt: (d) => corrupt.push(d) });
    const data = Buffer.from('object file bytes');
    const { hash } = digestBytes(algorithm, data);
    const absent = digestBytes(algorithm, Buffer.from('other')).hash;
    assert.deepEqual(await cas.findMissing([hash, absent]), [hash, absent]);
    await cas.put(hash, data);
    assert.deepEqual(await cas.findMissing([hash, absent]), [absent]);
    assert.ok((await cas.get(hash))?.equals(data));
    // Same length, other bytes: only a digest check can tell.
    writeFileSync(join(dir, algorithm, 'cas', hash.slice(0, 2), hash.slice(2)), 'OBJECT FILE BYTES');
    assert.equal(await cas.get(hash), undefined);
    assert.deepEqual(corrupt, [hash]);
    assert.deepEqual(await cas.findMissing([hash]), [hash], 'the corrupt blob is gone');
    await assert.rejects(cas.get('../../etc/passwd'), /not a digest/);
  });
}

test('CAS link: a file stored by a hard link (no copy), replacing a stored blob; a missing file is not linked', async () => {
  const grown: number[] = [];
  const cas = createLocalCas({ dir: join(dir, 'link'), algorithm: 'blake3', usage: { grew: (n) => grown.push(n), touch: () => undefined } });
  const data = Buffer.from('an archive go put');
  const { hash } = digestBytes('blake3', data);
  const spool = join(dir, 'spooled');
  writeFileSync(spool, data);
  assert.equal(cas.link?.(hash, spool, data.length), true);
  const path = cas.localPath!(hash);
  assert.equal(statSync(path).ino, statSync(spool).ino, 'one file, two names');
  assert.ok((await cas.get(hash))?.equals(data));
  writeFileSync(join(dir, 'again'), data);
  assert.equal(cas.link?.(hash, join(dir, 'again'), data.length), true, 'a stored blob is replaced');
  assert.equal(statSync(path).ino, statSync(join(dir, 'again')).ino);
  assert.deepEqual(grown, [data.length, 0]);
  assert.equal(cas.link?.(digestBytes('blake3', Buffer.from('x')).hash, join(dir, 'no-such-file'), 1), false);
  assert.deepEqual(readdirSync(join(dir, 'link', 'tmp')), [], 'nothing left behind');
});

test('action cache: round trip, and malformed entries read as misses and are deleted', async () => {
  const corrupt: string[] = [];
  const ac = createLocalActionCache({ dir, onCorrupt: (k) => corrupt.push(k) });
  const key = 'a'.repeat(64);
  const result: ActionResult = {
    schema: 1, outputs: [{ role: 'object', path: 'x.o', digest: 'b'.repeat(64), size: 10, mode: 0o644 }],
    stdoutDigest: 'c'.repeat(64), stderrDigest: 'd'.repeat(64), exitCode: 0, durationMs: 12, createdAt: new Date().toISOString(), sandboxed: false,
  };
  assert.equal(await ac.get(key), undefined);
  await ac.put(key, result);
  assert.deepEqual(await ac.get(key), result);
  const bad = [
    '{', '[]', JSON.stringify({ ...result, schema: 2 }), JSON.stringify({ ...result, outputs: [{ ...result.outputs[0], digest: 'zz' }] }),
    JSON.stringify({ ...result, outputs: [{ ...result.outputs[0], mode: -1 }] }), JSON.stringify({ ...result, exitCode: 'x' }),
  ];
  for (const text of bad) {
    writeFileSync(join(dir, 'ac', 'aa', key.slice(2)), text);
    // A new instance, as after a daemon restart: recent results are kept parsed in memory.
    const reopened = createLocalActionCache({ dir, onCorrupt: (k) => corrupt.push(k) });
    assert.equal(await reopened.get(key), undefined, text);
  }
  assert.equal(corrupt.length, bad.length);
  assert.deepEqual(readdirSync(join(dir, 'ac', 'aa')), []);
});
