// Digests and the stat-validated file digest cache.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { createHasher, digestBytes } from '../../src/hashing/create-hasher.js';
import { createFileDigestCache, type FileDigestCache } from '../../src/hashing/file-digest-cache.js';
import { digestAll } from '../../src/hashing/digest-all.js';
import { KeyBuilder } from '../../src/keying/key-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'reprise-hash-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('known answers for BLAKE3 and SHA-256', () => {
  assert.equal(digestBytes('blake3', Buffer.from('abc')).hash, '6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85');
  assert.equal(digestBytes('sha256', Buffer.from('abc')).hash, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(createHasher('blake3').update('a').update(Buffer.from('bc')).hex(), digestBytes('blake3', Buffer.from('abc')).hash);
});

test('key entries are length-prefixed: moving a boundary changes the key', () => {
  const a = new KeyBuilder('blake3').add('arg', 'ab').add('arg', 'c').finish();
  const b = new KeyBuilder('blake3').add('arg', 'a').add('arg', 'bc').finish();
  const c = new KeyBuilder('blake3').add('argab', '').add('arg', 'c').finish();
  assert.notEqual(a.key, b.key);
  assert.notEqual(a.key, c.key);
  assert.deepEqual(a.transcript, [{ tag: 'arg', value: 'ab' }, { tag: 'arg', value: 'c' }]);
});

test('file digests are memoised by stat identity, and rehashed when young or changed', async () => {
  // The clock runs 10 s ahead: writes made now count as settled, not young.
  let now = Date.now() + 10_000;
  const cache = createFileDigestCache({ algorithm: 'blake3', scan: (b) => (b.includes('__TIME__') ? 1 : 0), now: () => now });
  const f = join(dir, 'h.h');
  writeFileSync(f, '#define X 1\n');
  const old = new Date(Date.now() - 60_000);
  utimesSync(f, old, old);
  const first = await cache.digest(f);
  assert.ok(first);
  assert.equal((await cache.digest(f))?.digest.hash, first.digest.hash);
  assert.equal(cache.counters.hashed, 1, 'second lookup is memoised');
  // Same size, same mtime, other bytes: ctime changes, so it is rehashed.
  writeFileSync(f, '#define X 2\n');
  utimesSync(f, old, old);
  const second = await cache.digest(f);
  assert.notEqual(second?.digest.hash, first.digest.hash);
  // A file changed within the last 2 s is hashed every time.
  now = Date.now();
  writeFileSync(f, 'int t = __TIME__;\n');
  await cache.digest(f);
  const young = await cache.digest(f);
  assert.equal(young?.scan, 1, 'the scan result comes with the digest');
  assert.equal(cache.counters.hashed, 4);
  assert.equal(await cache.digest(join(dir, 'missing.h')), undefined);
  assert.equal(await cache.digest(dir), undefined, 'a directory is not a file');
});

test('the settle window: 2 s for whole-second timestamps, 100 ms for fine ones', async () => {
  const { isUnsettled } = await import('../../src/hashing/settle-window.js');
  const s = 1_000_000_000n;
  const now = 1_700_000_000n * s;
  assert.equal(isUnsettled(now - s, now - s, now), true, 'whole seconds, 1 s old: coarse, not settled');
  assert.equal(isUnsettled(now - 3n * s, now - 3n * s, now), false);
  assert.equal(isUnsettled(now - s + 7n, now - s + 7n, now), false, 'ns stamps, 1 s old: settled');
  assert.equal(isUnsettled(now - 50_000_007n, now - 50_000_007n, now), true, 'ns stamps, 50 ms old: not yet');
});

test('without a scan, files are hashed in chunks: the same digests, memoised the same way', async () => {
  const now = Date.now() + 10_000;
  const cache = createFileDigestCache({ algorithm: 'sha256', now: () => now });
  const big = Buffer.alloc((5 << 20) + 3);
  for (let i = 0; i < big.length; i += 4093) big[i] = (i >> 7) & 0xff;
  const f = join(dir, 'big.rlib');
  writeFileSync(f, big);
  const e = join(dir, 'empty.rmeta');
  writeFileSync(e, '');
  const [a, b] = await Promise.all([cache.digest(f), cache.digest(e)]);
  assert.deepEqual(a?.digest, digestBytes('sha256', big));
  assert.deepEqual(b?.digest, digestBytes('sha256', Buffer.alloc(0)));
  assert.equal(a?.scan, undefined);
  assert.equal(cache.peek(f)?.digest.hash, a?.digest.hash);
  assert.equal(cache.counters.hashed, 2);
  assert.equal(await cache.digest(join(dir, 'missing.rlib')), undefined);
});

test('digestAll: every path digested in order, memoised ones without a read, the rest side by side and at most 16 at once', async () => {
  const cache = createFileDigestCache<undefined>({ algorithm: 'blake3', now: () => Date.now() + 10_000 });
  const paths = Array.from({ length: 40 }, (_, i) => join(dir, `all-${i}.h`));
  paths.forEach((p, i) => writeFileSync(p, `#define N ${i}\n`));
  await cache.digest(paths[3]!);
  let reading = 0;
  let most = 0;
  // The cache as learn-inputs.ts sees it, counting the reads under way.
  const counted: FileDigestCache<undefined> = {
    ...cache,
    async digest(path) {
      most = Math.max(most, ++reading);
      try {
        return await cache.digest(path);
      } finally {
        reading--;
      }
    },
  };
  const missing = join(dir, 'all-missing.h');
  const got = await digestAll(counted, [...paths, missing, dir]);
  assert.deepEqual(got.slice(0, 40).map((d) => d?.digest.hash), paths.map((p) => digestBytes('blake3', Buffer.from(`#define N ${paths.indexOf(p)}\n`)).hash));
  assert.equal(got[40], undefined, 'a missing file');
  assert.equal(got[41], undefined, 'a directory');
  assert.equal(cache.counters.hashed, 40, 'the memoised one was not read again');
  assert.ok(most > 1 && most <= 16, `reads at once: ${most}`);
});
