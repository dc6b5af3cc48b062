// `reprise serve --http`: the bazel-remote HTTP layout, run as the CLI in its own process and
// driven by undici: GET/PUT/HEAD of /ac/ and /cas/ (under a prefix too), blobs checked against
// their names, read and read-write tokens, TLS from a CA made here, LRU eviction under a small
// --max-size, and a clean stop on SIGTERM.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { Agent, request, type Dispatcher } from 'undici';
import { reprise } from '../helpers/reprise-cli.js';
import { startRepriseServe, type RepriseServeProcess } from '../helpers/servers/reprise-serve.js';
import { makeTestCa } from '../helpers/test-ca.js';
import { waitFor } from '../helpers/wait.js';

const base = mkdtempSync(join(tmpdir(), 'reprise-serve-http-'));
test.after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(base, `t${n++}`);

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

interface Reply {
  status: number;
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

async function call(url: string, method: 'GET' | 'PUT' | 'HEAD', opts: { body?: Buffer; auth?: string; dispatcher?: Dispatcher } = {}): Promise<Reply> {
  const res = await request(url, {
    method,
    headers: opts.auth ? { authorization: opts.auth } : {},
    ...(opts.body ? { body: opts.body } : {}),
    ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
  });
  return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
}

async function serve(t: test.TestContext, args: string[] = []): Promise<{ server: RepriseServeProcess; dir: string; url: string }> {
  const dir = fresh();
  const server = await startRepriseServe(join(dir, 'store'), ['--http', '127.0.0.1:0', ...args]);
  t.after(() => server.stop());
  const scheme = args.includes('--tls-cert') ? 'https' : 'http';
  return { server, dir, url: `${scheme}://${server.http}` };
}

/** Entry files under the store's ac/ or cas/ (not tmp/). */
function entries(dir: string, area: 'ac' | 'cas'): string[] {
  const root = join(dir, 'store', 'sha256', area);
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((sub) => readdirSync(join(root, sub)).map((rest) => sub + rest));
}

test('GET, PUT and HEAD of blobs and action-cache entries, under any prefix; 404 when absent; a clean stop on SIGTERM', async (t) => {
  const { server, dir, url } = await serve(t);
  const blob = Buffer.from('int main(void) { return 0; }\n');
  const h = sha256(blob);
  assert.equal((await call(`${url}/cas/${h}`, 'GET')).status, 404);
  assert.equal((await call(`${url}/cas/${h}`, 'HEAD')).status, 404);
  assert.equal((await call(`${url}/cas/${h}`, 'PUT', { body: blob })).status, 200);
  const got = await call(`${url}/cas/${h}`, 'GET');
  assert.equal(got.status, 200);
  assert.ok(got.body.equals(blob));
  const head = await call(`${url}/cas/${h}`, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], String(blob.length));
  // A path prefix, as in ccache's remote_storage URL.
  assert.ok((await call(`${url}/team/ccache/cas/${h}`, 'GET')).body.equals(blob));

  // The action cache keeps whatever bytes the client PUT (ccache's own format under layout=bazel).
  const key = sha256(Buffer.from('some action'));
  const entry = Buffer.from('cCrS\x00\x01 not a protobuf', 'latin1');
  assert.equal((await call(`${url}/team/ac/${key}`, 'GET')).status, 404);
  assert.equal((await call(`${url}/team/ac/${key}`, 'PUT', { body: entry })).status, 200);
  assert.ok((await call(`${url}/team/ac/${key}`, 'GET')).body.equals(entry));
  assert.ok((await call(`${url}/ac/${key}`, 'GET')).body.equals(entry), 'the prefix does not partition the store');
  const replaced = Buffer.from('a newer entry');
  assert.equal((await call(`${url}/ac/${key}`, 'PUT', { body: replaced })).status, 200);
  assert.ok((await call(`${url}/ac/${key}`, 'GET')).body.equals(replaced));

  // The empty blob is always there (REAPI clients name it without uploading it).
  const empty = sha256(Buffer.alloc(0));
  assert.equal((await call(`${url}/cas/${empty}`, 'GET')).status, 200);

  assert.equal((await call(`${url}/cas/ABC`, 'GET')).status, 400, 'not a SHA-256 name');
  assert.equal((await call(`${url}/status`, 'GET')).status, 404);
  assert.deepEqual(entries(dir, 'cas'), [h]);
  assert.deepEqual(entries(dir, 'ac'), [key]);

  assert.equal(await server.stop(), 0, server.output());
  assert.match(server.output(), /stopped/);
});

test('an upload whose bytes are not its name is refused with 400 and stores nothing', async (t) => {
  const { dir, url } = await serve(t);
  const real = Buffer.alloc(200_000, 7);
  const forged = Buffer.alloc(200_000, 8);
  const h = sha256(real);
  const r = await call(`${url}/cas/${h}`, 'PUT', { body: forged });
  assert.equal(r.status, 400, r.body.toString());
  assert.match(r.body.toString(), /not/);
  assert.equal((await call(`${url}/cas/${h}`, 'GET')).status, 404);
  assert.equal((await call(`${url}/cas/${sha256(forged)}`, 'GET')).status, 404, 'not under its own name either');
  assert.deepEqual(entries(dir, 'cas'), []);
  assert.deepEqual(readdirSync(join(dir, 'store', 'sha256', 'tmp')), [], 'no temp file left behind');
  // The honest upload then goes through.
  assert.equal((await call(`${url}/cas/${h}`, 'PUT', { body: real })).status, 200);
  assert.ok((await call(`${url}/cas/${h}`, 'GET')).body.equals(real));
});

test('tokens: a read token reads and gets 403 on PUT, a read-write token writes, none or an unknown one gets 401', async (t) => {
  const tokens = join(base, 'tokens');
  writeFileSync(tokens, '# the team\nread dev-7f3a\nread-write ci-91b2\n\n');
  const { url } = await serve(t, ['--token-file', tokens]);
  const blob = Buffer.from('shared object');
  const h = sha256(blob);
  const none = await call(`${url}/cas/${h}`, 'GET');
  assert.equal(none.status, 401);
  assert.match(String(none.headers['www-authenticate']), /Bearer/);
  assert.equal((await call(`${url}/cas/${h}`, 'PUT', { body: blob })).status, 401);
  assert.equal((await call(`${url}/cas/${h}`, 'GET', { auth: 'Bearer guess' })).status, 401);
  assert.equal((await call(`${url}/cas/${h}`, 'HEAD', { auth: 'Bearer guess' })).status, 401);

  assert.equal((await call(`${url}/cas/${h}`, 'PUT', { body: blob, auth: 'Bearer dev-7f3a' })).status, 403);
  assert.equal((await call(`${url}/ac/${h}`, 'PUT', { body: blob, auth: 'Bearer dev-7f3a' })).status, 403);
  assert.equal((await call(`${url}/cas/${h}`, 'GET', { auth: 'Bearer dev-7f3a' })).status, 404, 'the refused PUT stored nothing');

  assert.equal((await call(`${url}/cas/${h}`, 'PUT', { body: blob, auth: 'Bearer ci-91b2' })).status, 200);
  const read = await call(`${url}/cas/${h}`, 'GET', { auth: 'Bearer dev-7f3a' });
  assert.equal(read.status, 200);
  assert.ok(read.body.equals(blob));
  assert.equal((await call(`${url}/cas/${h}`, 'HEAD', { auth: 'Bearer dev-7f3a' })).status, 200);
  // Basic auth with the token as the password (a URL's user:TOKEN@, as ccache sends it).
  const basic = `Basic ${Buffer.from('ccache:ci-91b2').toString('base64')}`;
  assert.equal((await call(`${url}/ac/${h}`, 'PUT', { body: blob, auth: basic })).status, 200);
  assert.equal((await call(`${url}/ac/${h}`, 'GET', { auth: `Basic ${Buffer.from('x:dev-7f3a').toString('base64')}` })).status, 200);
});

test('TLS: https with a certificate from a CA made by openssl; a client that does not trust the CA is refused', async (t) => {
  const ca = await makeTestCa(mkdtempSync(join(base, 'ca-')));
  const { url } = await serve(t, ['--tls-cert', ca.certFile, '--tls-key', ca.keyFile]);
  assert.match(url, /^https:/);
  const trusting = new Agent({ connect: { ca: ca.caPem } });
  t.after(() => trusting.close());
  const blob = Buffer.from('over tls');
  const h = sha256(blob);
  assert.equal((await call(`${url}/cas/${h}`, 'PUT', { body: blob, dispatcher: trusting })).status, 200);
  assert.ok((await call(`${url}/cas/${h}`, 'GET', { dispatcher: trusting })).body.equals(blob));
  await assert.rejects(call(`${url}/cas/${h}`, 'GET'), /certificate/i, 'the system CAs do not vouch for it');
  await assert.rejects(call(`${url.replace('https:', 'http:')}/cas/${h}`, 'GET'), 'plain HTTP to the TLS port');
});

test('--max-size: least recently used entries are evicted, and a read counts as a use', async (t) => {
  const { dir, url } = await serve(t, ['--max-size', '10000']);
  const blobs = ['A', 'B', 'C', 'D'].map((c) => Buffer.alloc(3000, c));
  const names = blobs.map(sha256);
  const put = async (i: number): Promise<void> => {
    assert.equal((await call(`${url}/cas/${names[i]}`, 'PUT', { body: blobs[i]! })).status, 200);
    await new Promise((r) => setTimeout(r, 30)); // distinct mtimes
  };
  await put(0);
  await put(1);
  await put(2);
  // A is the oldest write, but read since: B is now the least recently used.
  assert.equal((await call(`${url}/cas/${names[0]}`, 'GET')).status, 200);
  await put(3); // 12000 bytes > 10000: evicted down to 90% of the limit
  // Watched on disk: a HEAD would count as a use.
  await waitFor('an eviction', () => entries(dir, 'cas').length < 4, 10_000, 50);
  assert.deepEqual(entries(dir, 'cas').sort(), [names[0], names[2], names[3]].sort(), 'B went, A, C and D stay');
  assert.equal((await call(`${url}/cas/${names[1]}`, 'GET')).status, 404);
  assert.ok((await call(`${url}/cas/${names[0]}`, 'GET')).body.equals(blobs[0]!));
  // An upload larger than the whole limit is refused.
  const huge = Buffer.alloc(20_000, 'H');
  assert.equal((await call(`${url}/cas/${sha256(huge)}`, 'PUT', { body: huge })).status, 413);
});

test('bad options are one clear line and exit 2', async () => {
  const dir = fresh();
  const busy = await startRepriseServe(join(dir, 'a'), ['--http', '127.0.0.1:0']);
  try {
    for (const [args, message] of [
      [['--dir', dir], /give --listen HOST:PORT/],
      [['--dir', dir, '--http', '8080'], /--http 8080: expected HOST:PORT/],
      [['--dir', dir, '--http', '127.0.0.1:0', '--max-size', 'lots'], /--max-size=lots/],
      [['--dir', dir, '--http', '127.0.0.1:0', '--tls-cert', join(dir, 'c.pem')], /go together/],
      [['--dir', dir, '--http', '127.0.0.1:0', '--token-file', join(dir, 'none')], /--token-file .*none: ENOENT/],
      [['--dir', dir, '--http', busy.http!], /cannot listen: .*EADDRINUSE/],
    ] as const) {
      const r = await reprise(['serve', ...args], process.env);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr.toString()}`);
      assert.match(r.stderr.toString(), message);
      assert.equal(r.stderr.toString().trim().split('\n').length, 1, r.stderr.toString());
    }
  } finally {
    await busy.stop();
  }
});
