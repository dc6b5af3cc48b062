// The local store's upkeep without a daemon: measuring, LRU eviction by mtime, touches that
// refresh recency off the request path, stale temp files, clearing, and the running size.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { digestBytes } from '../../src/hashing/create-hasher.js';
import { clearCacheDir } from '../../src/store/local/clear-cache-dir.js';
import { collectGarbage } from '../../src/store/local/collect-garbage.js';
import { createLocalCas } from '../../src/store/local/create-local-cas.js';
import { createLocalJsonStore } from '../../src/store/local/create-local-json-store.js';
import { createStoreUsage } from '../../src/store/local/create-store-usage.js';
import { evict } from '../../src/store/local/evict.js';
import { measureStore } from '../../src/store/local/measure-store.js';
import { removeStaleTemp } from '../../src/store/local/remove-stale-temp.js';
import type { RemovalCount } from '../../src/store/local/types.js';
import { waitFor } from '../helpers/wait.js';

const base = mkdtempSync(join(tmpdir(), 'reprise-usage-'));
test.after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => join(base, `d${n++}`);

/** A blob of `size` bytes whose content names `i`; returns its digest. */
function blob(i: number, size: number): { digest: string; data: Buffer } {
  const data = Buffer.alloc(size, i % 251);
  data.write(`blob ${i}`);
  return { digest: digestBytes('blake3', data).hash, data };
}
const casPath = (dir: string, d: string): string => join(dir, 'cas', d.slice(0, 2), d.slice(2));
/** Sets a file's mtime `agoS` seconds back, as if last used then. */
const age = (path: string, agoS: number): void => {
  const t = new Date(Date.now() - agoS * 1000);
  utimesSync(path, t, t);
};

test('measure sums entry files only; evict removes the oldest first, down to the target', async () => {
  const dir = freshDir();
  const cas = createLocalCas({ dir, algorithm: 'blake3' });
  const blobs = Array.from({ length: 10 }, (_, i) => blob(i, 1000));
  for (const [i, b] of blobs.entries()) {
    await cas.put(b.digest, b.data);
    age(casPath(dir, b.digest), 1000 - i * 10); // blob 0 is the oldest
  }
  mkdirSync(join(dir, 'cas', 'zz'), { recursive: true });
  writeFileSync(join(dir, 'cas', 'zz', 'not-an-entry'), 'x'.repeat(5000));
  const m = await measureStore(dir);
  assert.equal(m.bytes, 10_000);
  assert.equal(m.entries, 10);
  const removed = await evict(dir, m, 6500);
  assert.deepEqual(removed, { entries: 4, bytes: 4000 });
  const left = blobs.filter((b) => existsSync(casPath(dir, b.digest))).map((b) => blobs.indexOf(b));
  assert.deepEqual(left, [4, 5, 6, 7, 8, 9]);
  assert.ok(existsSync(join(dir, 'cas', 'zz', 'not-an-entry')), 'only entries are evicted');
  assert.deepEqual(await evict(dir, await measureStore(dir), 6500), { entries: 0, bytes: 0 }, 'under the target: nothing');
});

test('a touch refreshes recency off the request path, so the entries a hit used survive eviction', async () => {
  const dir = freshDir();
  const usage = createStoreUsage({ dir, maxBytes: 0, touchDelayMs: 20, startDelayMs: 0 });
  const cas = createLocalCas({ dir, algorithm: 'blake3', usage });
  const ac = createLocalJsonStore(dir, 'ac', { parse: (t) => JSON.parse(t) as { v: number }, usage });
  const blobs = Array.from({ length: 6 }, (_, i) => blob(i, 2000));
  for (const [i, b] of blobs.entries()) {
    await cas.put(b.digest, b.data);
    age(casPath(dir, b.digest), 600 - i * 10);
  }
  const key = 'a'.repeat(64);
  await ac.put(key, { v: 1 });
  age(join(dir, 'ac', 'aa', key.slice(2)), 900);
  // The hits: reading blob 0 and the result only notes them; the mtime changes later.
  const before = statSync(casPath(dir, blobs[0]!.digest)).mtimeMs;
  assert.ok(await cas.get(blobs[0]!.digest));
  assert.deepEqual(await ac.get(key), { v: 1 });
  assert.equal(statSync(casPath(dir, blobs[0]!.digest)).mtimeMs, before, 'no I/O on the hit path');
  await waitFor('the touch to reach the disk', () => statSync(casPath(dir, blobs[0]!.digest)).mtimeMs > Date.now() - 60_000);
  const report = await usage.gc(7000);
  assert.equal(report.maxBytes, 7000);
  // 12000 + the result: blobs 1, 2 and 3 are the least recently used.
  assert.deepEqual(blobs.map((b) => existsSync(casPath(dir, b.digest))), [true, false, false, false, true, true]);
  assert.equal(report.evicted.entries, 3);
  assert.ok(existsSync(join(dir, 'ac', 'aa', key.slice(2))), 'the result was used: kept');
  assert.equal(report.bytes, (await measureStore(dir)).bytes);
  assert.equal(usage.size().bytes, report.bytes);
  await usage.close();
});

test('a touch keeps the time of the use, not of its flush: an entry stored after a hit and before the flush is the more recent', async () => {
  const dir = freshDir();
  // Touches wait for the eviction's own flush.
  const usage = createStoreUsage({ dir, maxBytes: 0, touchDelayMs: 60_000, startDelayMs: 0 });
  const cas = createLocalCas({ dir, algorithm: 'blake3', usage });
  const [used, stored] = [blob(1, 1000), blob(2, 1000)];
  await cas.put(used.digest, used.data);
  age(casPath(dir, used.digest), 600);
  assert.ok(await cas.get(used.digest));
  await new Promise((r) => setTimeout(r, 50));
  await cas.put(stored.digest, stored.data);
  const report = await usage.gc(1500);
  assert.equal(report.evicted.entries, 1);
  assert.ok(existsSync(casPath(dir, stored.digest)), 'stored after the hit: kept');
  assert.ok(!existsSync(casPath(dir, used.digest)), 'hit before the other was stored: the least recently used');
  await usage.close();
});

test('the running size: start-up scan, stores (a rewrite counts its difference), automatic eviction past the limit', async () => {
  const dir = freshDir();
  const seed = createLocalCas({ dir, algorithm: 'blake3' });
  const old = Array.from({ length: 4 }, (_, i) => blob(100 + i, 1000));
  for (const [i, b] of old.entries()) {
    await seed.put(b.digest, b.data);
    age(casPath(dir, b.digest), 500 - i);
  }
  const evictions: RemovalCount[] = [];
  const usage = createStoreUsage({ dir, maxBytes: 10_000, startDelayMs: 0, onEvicted: (r) => evictions.push(r), onError: (e) => assert.fail(e) });
  const cas = createLocalCas({ dir, algorithm: 'blake3', usage });
  assert.equal(usage.size().scanning, false);
  usage.start();
  assert.equal(usage.size().scanning, true);
  await waitFor('the start-up scan', () => !usage.size().scanning);
  assert.equal(usage.size().bytes, 4000);
  await cas.put(old[0]!.digest, old[0]!.data);
  assert.equal(usage.size().bytes, 4000, 'storing a blob again adds nothing');
  const json = createLocalJsonStore(dir, 'manifests', { parse: (t) => JSON.parse(t) as { s: string }, usage, memo: true });
  const key = 'b'.repeat(64);
  await json.put(key, { s: 'x'.repeat(100) });
  await json.put(key, { s: 'x'.repeat(50) });
  assert.equal(usage.size().bytes, 4000 + JSON.stringify({ s: 'x'.repeat(50) }).length);
  assert.equal(evictions.length, 0);
  // Past the limit: eviction runs after the store, down to 90% of the limit.
  for (let i = 0; i < 6; i++) await cas.put(blob(200 + i, 1000).digest, blob(200 + i, 1000).data);
  await waitFor('an eviction', () => evictions.length > 0);
  const now = await measureStore(dir);
  assert.ok(now.bytes <= 9000, `${now.bytes} bytes left`);
  assert.equal(usage.size().bytes, now.bytes);
  assert.ok(!existsSync(casPath(dir, old[1]!.digest)), 'the oldest went first');
  assert.ok(existsSync(casPath(dir, old[0]!.digest)), 'stored again: young');
  await usage.close();
});

test('stale temp files go (files and leftover directories); fresh ones stay', async () => {
  const dir = freshDir();
  mkdirSync(join(dir, 'tmp', 'clear-1-abc', 'cas'), { recursive: true });
  writeFileSync(join(dir, 'tmp', 'old'), '12345');
  writeFileSync(join(dir, 'tmp', 'new'), 'fresh');
  age(join(dir, 'tmp', 'old'), 2 * 3600);
  age(join(dir, 'tmp', 'clear-1-abc'), 2 * 3600);
  assert.deepEqual(await removeStaleTemp(dir), { entries: 2, bytes: 5 });
  assert.deepEqual(readdirSync(join(dir, 'tmp')), ['new']);
  assert.deepEqual(await removeStaleTemp(join(dir, 'missing')), { entries: 0, bytes: 0 });
});

test('collectGarbage (no daemon) and clearCacheDir: every digest function, temp space and counters stay', async () => {
  const cacheDir = freshDir();
  for (const algorithm of ['blake3', 'sha256'] as const) {
    const cas = createLocalCas({ dir: join(cacheDir, algorithm), algorithm });
    for (let i = 0; i < 3; i++) {
      const data = Buffer.alloc(100, i);
      await cas.put(digestBytes(algorithm, data).hash, data);
    }
  }
  writeFileSync(join(cacheDir, 'stats.json'), '{}');
  const gc = await collectGarbage(join(cacheDir, 'blake3'), 150);
  assert.deepEqual(gc.evicted, { entries: 2, bytes: 200 });
  assert.equal(gc.bytes, 100);
  assert.deepEqual(await clearCacheDir(cacheDir), { entries: 4, bytes: 400 });
  for (const algorithm of ['blake3', 'sha256']) {
    assert.equal((await measureStore(join(cacheDir, algorithm))).entries, 0);
    assert.deepEqual(readdirSync(join(cacheDir, algorithm)), ['tmp'], 'only the temp space is left, empty');
    assert.deepEqual(readdirSync(join(cacheDir, algorithm, 'tmp')), []);
  }
  assert.ok(existsSync(join(cacheDir, 'stats.json')));
  assert.deepEqual(await clearCacheDir(join(base, 'never-made')), { entries: 0, bytes: 0 });
  assert.ok(!existsSync(join(base, 'never-made')), 'clearing creates nothing');
});
