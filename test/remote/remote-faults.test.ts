// A remote that is down, dies, stalls, errs or lies never breaks a build: each fault below
// leaves the bare compiler's objects and is counted in `reprise stats`. The remote is a real
// nginx (bazel-remote HTTP layout) or redis-server; faults on the wire come from a proxy.
import assert from 'node:assert/strict';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { reprise, stats } from '../helpers/reprise-cli.js';
import { run, text } from '../helpers/run.js';
import { freePort } from '../helpers/servers/free-port.js';
import { startFaultProxy, type Fault } from '../helpers/servers/fault-proxy.js';
import { nginxMissing, startNginx } from '../helpers/servers/nginx-webdav.js';
import { redisMissing, startRedis } from '../helpers/servers/redis.js';
import { assertObjects, bareObjects, machine, make, UNITS, type Machine } from '../helpers/two-machines.js';
import { createWorkspace } from '../helpers/workspace.js';
import type { RemoteCounter } from '../../src/stats/stat-names.js';

const skip = nginxMissing() ?? redisMissing() ?? false;
if (skip && process.env.CI) throw new Error(`required under CI: ${skip}`);

const srv = createWorkspace('reprise-faults-');
const machines: Machine[] = [];
let nginx: Awaited<ReturnType<typeof startNginx>>;
let expected: Buffer[];
test.after(async () => {
  await nginx?.stop();
  for (const m of machines) m.ws.cleanup();
  srv.cleanup();
});

function newMachine(remote: string, extra: NodeJS.ProcessEnv = {}): Machine {
  const m = machine(remote, extra);
  machines.push(m);
  return m;
}

async function counters(m: Machine, url: string): Promise<Record<RemoteCounter, number>> {
  const s = await stats(m.env);
  const r = s.remotes[url];
  assert.ok(r, `no counters for ${url}: ${JSON.stringify(s.remotes)}`);
  return r;
}

async function ccCount(m: Machine, k: 'miss' | 'direct-hit'): Promise<number> {
  return (await stats(m.env)).tools.cc?.[k] ?? 0;
}

test('a first machine fills the nginx remote', { skip }, async () => {
  expected = await bareObjects();
  nginx = await startNginx(join(srv.dir, 'nginx'));
  const a = newMachine(nginx.url);
  await make(a);
  assert.equal((await reprise(['daemon', 'stop'], a.env)).code, 0);
  assert.equal((await counters(a, nginx.url)).uploads, 2 * (UNITS + 1));
  const b = newMachine(nginx.url);
  await make(b);
  assert.equal(await ccCount(b, 'direct-hit'), UNITS + 1);
  assertObjects(b, expected);
});

test('remote down at start: the build compiles locally; one error opens the breaker, the rest are skipped', { skip }, async () => {
  const url = `http://127.0.0.1:${await freePort()}/cache`;
  const m = newMachine(url);
  await make(m);
  assertObjects(m, expected);
  assert.equal(await ccCount(m, 'miss'), UNITS + 1);
  const c = await counters(m, url);
  assert.ok(c.errors >= 1 && c.errors <= 2, JSON.stringify(c)); // -j2: two lookups may be under way when it opens
  assert.ok(c['breaker-opened'] >= 1 && c.skipped >= 1, JSON.stringify(c));
  assert.equal((await reprise(['daemon', 'stop'], m.env)).code, 0, 'stopping with uploads for a dead remote');
  const after = await counters(m, url);
  assert.equal(after.uploads, 0);
  assert.ok(after['upload-failed'] + after['upload-dropped'] >= 1, JSON.stringify(after));
});

const wireFaults: Array<{ name: string; fault: Fault; counted: RemoteCounter }> = [
  { name: 'HTTP 503', fault: { kind: 'status', status: 503 }, counted: 'errors' },
  { name: 'HTTP 429', fault: { kind: 'status', status: 429 }, counted: 'errors' },
  { name: 'an empty 200 body', fault: { kind: 'empty' }, counted: 'corrupt' },
  { name: 'a truncated body', fault: { kind: 'truncate' }, counted: 'errors' },
];
for (const { name, fault, counted } of wireFaults) {
  test(`${name}: counted as ${counted}, the build compiles locally`, { skip }, async (t) => {
    const proxy = await startFaultProxy(nginx.url);
    t.after(() => proxy.stop());
    proxy.fault = fault;
    const m = newMachine(proxy.url, { REPRISE_REMOTE_ROLE: 'read' });
    await make(m);
    assertObjects(m, expected);
    assert.equal(await ccCount(m, 'miss'), UNITS + 1);
    const c = await counters(m, proxy.url);
    assert.ok(c[counted] >= 1, JSON.stringify(c));
    assert.equal(c.hits, 0, JSON.stringify(c));
    assert.ok((proxy.seen.GET ?? 0) >= 1, 'the proxy saw the lookups');
  });
}

test('a slow remote costs one timeout: the breaker opens and later lookups skip it', { skip }, async (t) => {
  const proxy = await startFaultProxy(nginx.url);
  t.after(() => proxy.stop());
  proxy.fault = { kind: 'delay', ms: 5000 };
  const m = newMachine(proxy.url, { REPRISE_REMOTE_TIMEOUT_MS: '300', REPRISE_REMOTE_ROLE: 'read' });
  await make(m);
  assertObjects(m, expected);
  const c = await counters(m, proxy.url);
  assert.ok(c.timeouts >= 1 && c.timeouts <= 2, JSON.stringify(c)); // at most one per make job
  assert.ok(c.skipped >= UNITS - 1, JSON.stringify(c));
});

test('a read-only server: writes are refused and counted, reads still hit', { skip }, async (t) => {
  const ro = await startNginx(join(srv.dir, 'nginx-ro'), { location: 'limit_except GET HEAD { deny all; }' });
  t.after(() => ro.stop());
  // The same entries, served read-only: copy the filled root.
  await run('cp', ['-a', `${nginx.root}/.`, ro.root]);
  const m = newMachine(ro.url);
  await make(m);
  assert.equal(await ccCount(m, 'direct-hit'), UNITS + 1);
  writeFileSync(join(m.checkout, 'u0.c'), '#include "common.h"\nint u0(int x) { return x * SCALE + 100; }\n');
  await new Promise((r) => setTimeout(r, 50));
  await make(m);
  assert.equal((await reprise(['daemon', 'stop'], m.env)).code, 0);
  const c = await counters(m, ro.url);
  assert.ok(c.refused >= 1, JSON.stringify(c));
  assert.equal(c.uploads, 0);
  assert.equal(c['breaker-opened'], 0, 'a refusal is not an outage');
});

test('the remote killed mid-build: the rest compiles locally', { skip }, async (t) => {
  const redis = await startRedis(join(srv.dir, 'redis'));
  t.after(() => redis.stop());
  const a = newMachine(redis.url);
  await make(a);
  assert.equal((await reprise(['daemon', 'stop'], a.env)).code, 0);
  const b = newMachine(redis.url);
  const one = await run('make', ['-j2', 'CFLAGS=-O2 -Wall', 'u0.o', 'u1.o'], { cwd: b.checkout, env: b.env });
  assert.equal(one.code, 0, text(one));
  assert.equal(await ccCount(b, 'direct-hit'), 2);
  redis.child.kill('SIGKILL');
  await make(b);
  assertObjects(b, expected);
  assert.equal(await ccCount(b, 'miss'), UNITS - 1);
  const c = await counters(b, redis.url);
  assert.ok(c.errors >= 1, JSON.stringify(c));
});

test('a blob altered on the server is detected and not used', { skip }, async () => {
  // Every object-sized blob gets one byte changed in place.
  const cas = join(nginx.root, 'cache', 'cas');
  let altered = 0;
  for (const name of readdirSync(cas)) {
    const p = join(cas, name);
    if (statSync(p).size > 200) {
      writeFileSync(p, Buffer.concat([Buffer.from('X'), Buffer.alloc(statSync(p).size - 1)]));
      altered += 1;
    }
  }
  assert.ok(altered >= UNITS, `${altered} blobs altered`);
  const m = newMachine(nginx.url, { REPRISE_REMOTE_ROLE: 'read' });
  await make(m);
  assertObjects(m, expected);
  const c = await counters(m, nginx.url);
  assert.ok(c.corrupt >= UNITS, JSON.stringify(c));
  assert.equal(await ccCount(m, 'miss'), UNITS + 1);
});
