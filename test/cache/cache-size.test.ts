// The store's size limit and upkeep through the real shim, daemon and gcc: LRU eviction
// past REPRISE_MAX_SIZE keeps what was hit, evicted entries are plain misses that store
// again byte-identical, `reprise gc` and `reprise cache clear` with and without a daemon.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { measureStore } from '../../src/store/local/measure-store.js';
import type { GcReport, RemovalCount } from '../../src/store/local/types.js';
import { reprise, stats } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { waitFor } from '../helpers/wait.js';
import { createWorkspace } from '../helpers/workspace.js';

const ws = createWorkspace();
test.after(() => ws.cleanup());
const dir = ws.dir;
const store = join(ws.cacheDir, 'blake3');

/** Unit i: about 8 KiB of initialised data, so that each compile stores a sizeable object. */
function writeUnit(i: number): void {
  const bytes = Array.from({ length: 8192 }, (_, j) => (i * 31 + j * 7) % 256).join(',');
  writeFileSync(join(dir, `u${i}.c`), `const unsigned char data${i}[8192] = {${bytes}};\nint f${i}(void) { return data${i}[${i}]; }\n`);
}
const argsOf = (i: number): string[] => ['-O1', '-c', `u${i}.c`, '-o', `u${i}.o`];

async function compile(i: number, env: NodeJS.ProcessEnv = ws.env): Promise<'hit' | 'miss' | 'other'> {
  const before = (await stats(env)).tools.gcc;
  const r = await run('gcc', argsOf(i), { cwd: dir, env });
  assert.equal(r.code, 0, text(r));
  const after = (await stats(env)).tools.gcc;
  if ((after?.['direct-hit'] ?? 0) > (before?.['direct-hit'] ?? 0)) return 'hit';
  return (after?.miss ?? 0) > (before?.miss ?? 0) ? 'miss' : 'other';
}

async function bareObject(i: number): Promise<Buffer> {
  const out = `bare-u${i}.o`;
  const r = await run('gcc', [...argsOf(i).slice(0, -1), out], { cwd: dir, env: ws.bareEnv });
  assert.equal(r.code, 0, text(r));
  return readFileSync(join(dir, out));
}

test('past REPRISE_MAX_SIZE the least recently used entries go, recently hit ones stay, and an evicted entry is a miss that stores again identical', async () => {
  for (let i = 0; i < 9; i++) writeUnit(i);
  await new Promise((r) => setTimeout(r, 50)); // sources older than the compile start
  for (let i = 0; i < 7; i++) assert.equal(await compile(i), 'miss', `u${i}`);
  const seven = (await stats(ws.env)).store!;
  assert.equal(seven.maxBytes, 5 * 1024 ** 3, 'the default limit');
  await waitFor('the start-up scan', async () => !(await stats(ws.env)).store!.scanning);
  const measured = await stats(ws.env);
  // A compile's share of the store (its entry, and the records beside it such as `why`), and the blobs it stored.
  const perUnit = measured.store!.bytes / 7;
  const entryBytes = measured.cache['bytes-stored'] / 7;
  assert.ok(entryBytes > 8192 && perUnit >= entryBytes, `${entryBytes} bytes per entry, ${perUnit} per compile`);

  // A daemon with a limit of 8.5 compiles: u0 and u1 are hit, then u7 and u8 overflow it. The
  // eviction takes one to three entries (what lands during its scan, the rest of u8's entry and
  // records written after, counts toward its target): u2 to u6 are older than the hits.
  await reprise(['daemon', 'stop'], ws.env);
  const limit = Math.round(8.5 * perUnit);
  const env = { ...ws.env, REPRISE_MAX_SIZE: String(limit) };
  assert.equal(await compile(0, env), 'hit');
  assert.equal(await compile(1, env), 'hit');
  assert.equal((await stats(env)).store!.maxBytes, limit);
  assert.equal(await compile(7, env), 'miss');
  assert.equal((await stats(env)).cache.evicted, 0, 'under the limit');
  assert.equal(await compile(8, env), 'miss');
  await waitFor('an eviction', async () => (await stats(env)).cache.evicted > 0);
  const s = await stats(env);
  assert.ok(s.cache['bytes-evicted'] >= entryBytes, `${s.cache['bytes-evicted']} bytes evicted, ${entryBytes} an entry`);
  // Eviction goes to 0.9 of the limit; records written after its scan (the `why` records of
  // the last calls) count on top, and a store that takes it past the limit again trims again:
  // the store on disk comes under the limit. (The running total may count twice what landed
  // during a scan, until the next one.)
  await waitFor('the store under its limit', async () => (await measureStore(store)).bytes < limit, 10_000, 100);
  assert.match((await reprise(['stats'], env)).stdout.toString(), /^evicted: \d+ least recently used entries/m);
  assert.match((await reprise(['stats'], env)).stdout.toString(), /^cache size: [\d.]+ KiB of [\d.]+ KiB \(\d+\.\d%\)$/m);

  // The hit ones and the newest stay; the oldest unused one is gone.
  for (const i of [0, 1, 7, 8]) assert.equal(await compile(i, env), 'hit', `u${i} kept`);
  assert.equal(await compile(2, env), 'miss', 'u2 was the least recently used');
  const expected = await bareObject(2);
  assert.ok(readFileSync(join(dir, 'u2.o')).equals(expected), 'the miss after eviction compiles the same bytes');
  writeFileSync(join(dir, 'u2.o'), 'stale');
  assert.equal(await compile(2, env), 'hit', 'stored again');
  assert.ok(readFileSync(join(dir, 'u2.o')).equals(expected));
});

test('reprise gc: evicts down to a limit and removes stale temp files, through the daemon and without one', async () => {
  await reprise(['daemon', 'stop'], ws.env); // the next one has the default limit
  // u3 was evicted above when the eviction took a second entry; either way the compile is right.
  assert.notEqual(await compile(3), 'other');
  // The daemon's start-up scan removes stale temp files too: plant them after it.
  await waitFor('the start-up scan', async () => !(await stats(ws.env)).store!.scanning);
  const tmp = join(store, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const oldFile = join(tmp, '999.deadbeef');
  writeFileSync(oldFile, 'left by a killed write');
  const hourAgo = new Date(Date.now() - 2 * 3600 * 1000);
  utimesSync(oldFile, hourAgo, hourAgo);
  writeFileSync(join(tmp, '998.fresh'), 'a write in flight');

  const r = await reprise(['gc'], ws.env);
  assert.equal(r.code, 0, text(r));
  assert.match(r.stdout.toString(), /^reprise gc: evicted 0 entries \(0 B\); removed 1 stale temp files \(22 B\); the cache holds [\d.]+ KiB \(limit 5\.0 GiB\)$/m);
  assert.ok(!existsSync(oldFile));
  assert.ok(existsSync(join(tmp, '998.fresh')), 'a fresh temp file stays');

  // --max-size for this run: everything but the empty blob goes, and the next compile misses.
  const j = await reprise(['gc', '--max-size', '1', '--json'], ws.env);
  assert.equal(j.code, 0, text(j));
  const report = JSON.parse(j.stdout.toString()) as GcReport & { daemon: boolean };
  assert.equal(report.daemon, true);
  assert.equal(report.maxBytes, 1);
  assert.ok(report.evicted.entries > 10, text(j));
  assert.equal(report.bytes, 0);
  assert.equal((await stats(ws.env)).cache.evicted >= report.evicted.entries, true);
  assert.equal(await compile(3), 'miss');
  assert.equal(await compile(3), 'hit');

  // Without a daemon: the same, on the directory.
  await reprise(['daemon', 'stop'], ws.env);
  utimesSync(join(tmp, '998.fresh'), hourAgo, hourAgo);
  const off = await reprise(['gc', '--json', '--max-size', '1K'], ws.env);
  assert.equal(off.code, 0, text(off));
  const offReport = JSON.parse(off.stdout.toString()) as GcReport & { daemon: boolean };
  assert.equal(offReport.daemon, false);
  assert.ok(offReport.evicted.entries > 0);
  assert.ok(offReport.bytes <= 1024);
  assert.deepEqual(offReport.staleTemp, { entries: 1, bytes: 17 });
  const bad = await reprise(['gc', '--max-size', 'lots'], ws.env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr.toString(), /^reprise: --max-size=lots: expected a size/);
});

test('reprise cache clear: the next compile is a miss; every digest function is emptied; with and without a daemon', async () => {
  assert.equal(await compile(4), 'miss');
  assert.equal(await compile(4), 'hit', 'the manifest is now in the daemon\'s memory');
  // An entry of another digest function (a daemon with REPRISE_DIGEST=sha256 would put it there).
  const other = join(ws.cacheDir, 'sha256', 'cas', 'ab', 'c'.repeat(62));
  mkdirSync(join(other, '..'), { recursive: true });
  writeFileSync(other, 'x');
  const r = await reprise(['cache', 'clear'], ws.env);
  assert.equal(r.code, 0, text(r));
  assert.match(r.stdout.toString(), /^reprise cache clear: removed \d+ entries \([\d.]+ KiB\) from /);
  assert.ok(!existsSync(other));
  assert.equal((await stats(ws.env)).store!.bytes, 0);
  for (const area of ['cas', 'ac', 'manifests']) assert.ok(!existsSync(join(store, area)), `${area} is gone`);
  assert.equal(await compile(4), 'miss');
  assert.equal(await compile(4), 'hit');
  assert.ok(readFileSync(join(dir, 'u4.o')).equals(await bareObject(4)));

  await reprise(['daemon', 'stop'], ws.env);
  const off = await reprise(['cache', 'clear', '--json'], ws.env);
  assert.equal(off.code, 0, text(off));
  const removed = JSON.parse(off.stdout.toString()) as RemovalCount & { daemon: boolean };
  assert.equal(removed.daemon, false);
  assert.ok(removed.entries >= 3, text(off));
  assert.deepEqual(readdirSync(store), ['tmp']);
  assert.ok(existsSync(join(ws.cacheDir, 'stats.json')), 'the counters stay');
  assert.equal(await compile(4), 'miss');
});

test('a bad REPRISE_MAX_SIZE: the CLI names it; a build still compiles (the shim runs gcc itself)', async () => {
  await reprise(['daemon', 'stop'], ws.env);
  for (const value of ['5 gigs', '-1', '1.5', '12X']) {
    const env = { ...ws.env, REPRISE_MAX_SIZE: value };
    for (const cmd of [['stats'], ['gc'], ['cache', 'clear']]) {
      const r = await reprise(cmd, env);
      assert.equal(r.code, 2, text(r));
      assert.equal(r.stderr.toString(), `reprise: REPRISE_MAX_SIZE=${value}: expected a size such as 5G, 500M, 1.5GiB, 2GB or a number of bytes (0: no limit)\n`);
    }
  }
  const r = await run('gcc', argsOf(0), { cwd: dir, env: { ...ws.env, REPRISE_MAX_SIZE: 'junk' } });
  assert.equal(r.code, 0, text(r));
  assert.ok(readFileSync(join(dir, 'u0.o')).equals(await bareObject(0)));
});
