// The REAPI gRPC backend against a small in-process server (test/helpers/fake-reapi-server.ts):
// TLS with a custom CA, the metadata on every call, the announced batch limit, BLAKE3 requests,
// and the bound on calls in flight. grpc-backend-worker.test.ts runs it against Bazel's own server.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { ConfigError } from '../../src/config/config-error.js';
import { REMOTE_DEFAULTS, type RemoteSpec } from '../../src/config/remote-spec.js';
import { digestBytes } from '../../src/hashing/create-hasher.js';
import type { DigestAlgorithm } from '../../src/hashing/types.js';
import { DIGEST_FUNCTION } from '../../src/reapi/types.js';
import { createGrpcBackend } from '../../src/store/remote/grpc-backend.js';
import type { RemoteBackend } from '../../src/store/remote/types.js';
import { StoreError } from '../../src/store/types.js';
import { startFakeReapiServer, type FakeReapiOptions, type FakeReapiServer } from '../helpers/fake-reapi-server.js';

const dir = mkdtempSync(join(tmpdir(), 'reprise-grpc-'));
const open: Array<{ close(): Promise<void> }> = [];
test.after(async () => {
  for (const o of open) await o.close();
  rmSync(dir, { recursive: true, force: true });
});

const signal = (): AbortSignal => AbortSignal.timeout(10_000);
const caps = (digestFunction: number[], maxBatchTotalSizeBytes = 0): FakeReapiOptions['capabilities'] => ({
  cacheCapabilities: { digestFunction, maxBatchTotalSizeBytes, actionCacheUpdateCapabilities: { updateEnabled: true } },
  highApiVersion: { major: 2, minor: 3 },
});

async function serve(opts: FakeReapiOptions): Promise<FakeReapiServer> {
  const s = await startFakeReapiServer(opts);
  open.push(s);
  return s;
}

function connect(server: FakeReapiServer, extra: Partial<RemoteSpec> = {}, algorithm: DigestAlgorithm = 'sha256', scheme = 'grpc', host = '127.0.0.1'): RemoteBackend {
  const b = createGrpcBackend({ ...REMOTE_DEFAULTS, url: `${scheme}://${host}:${server.port}`, ...extra }, { algorithm });
  open.push(b);
  return b;
}

test('every call carries the headers, the bearer token and a RequestMetadata naming reprise', async () => {
  const server = await serve({ capabilities: caps([DIGEST_FUNCTION.SHA256]) });
  const b = connect(server, { headers: { 'X-Team': 'compilers' }, token: 's3cret', instance: 'main' });
  const data = Buffer.from('a blob');
  const d = digestBytes('sha256', data);
  await b.cas.findMissing([d], signal());
  await b.cas.put(d, data, signal());
  assert.ok((await b.cas.get(d, signal()))?.equals(data));
  await b.ac.put('a'.repeat(64), { outputFiles: [], exitCode: 0, stdoutRaw: Buffer.from('x') }, signal());
  await b.ac.get('a'.repeat(64), signal());
  assert.deepEqual(server.calls.map((c) => c.method), ['GetCapabilities', 'FindMissingBlobs', 'BatchUpdateBlobs', 'BatchReadBlobs', 'UpdateActionResult', 'GetActionResult']);
  const invocations = new Set<string>();
  for (const c of server.calls) {
    assert.deepEqual(c.metadata.get('x-team'), ['compilers'], c.method);
    assert.deepEqual(c.metadata.get('authorization'), ['Bearer s3cret'], c.method);
    assert.equal(c.requestMetadata?.toolDetails?.toolName, 'reprise', c.method);
    assert.match(c.requestMetadata?.toolDetails?.toolVersion ?? '', /^\d+\.\d+\.\d+/);
    invocations.add(c.requestMetadata?.toolInvocationId ?? '');
    assert.equal(c.detail, c.method === 'GetCapabilities' ? '' : '0', 'SHA-256 requests leave digest_function unset, as REAPI 2.0 clients do');
  }
  assert.equal(invocations.size, 1, 'one tool invocation id per backend');
  assert.equal(b.name, `grpc://127.0.0.1:${server.port}`);
});

test('the announced batch limit: larger blobs go through ByteStream, with the instance in the resource name', async () => {
  const server = await serve({ capabilities: caps([DIGEST_FUNCTION.SHA256], 64 << 10) });
  const b = connect(server, { instance: 'ci/linux' });
  const small = Buffer.alloc(1000, 1);
  const big = Buffer.alloc(200 << 10, 2);
  for (const data of [small, big]) {
    const d = digestBytes('sha256', data);
    await b.cas.put(d, data, signal());
    assert.ok((await b.cas.get(d, signal()))?.equals(data));
  }
  const bigD = digestBytes('sha256', big);
  const streamed = server.calls.filter((c) => c.method === 'Write' || c.method === 'Read');
  assert.equal(streamed.length, 2);
  assert.match(streamed[0]?.detail ?? '', new RegExp(`^ci/linux/uploads/[0-9a-f-]{36}/blobs/${bigD.hash}/${big.length}$`));
  assert.equal(streamed[1]?.detail, `ci/linux/blobs/${bigD.hash}/${big.length}`);
  assert.deepEqual(server.calls.filter((c) => c.method.startsWith('Batch')).map((c) => c.method), ['BatchUpdateBlobs', 'BatchReadBlobs']);
});

test('BatchReadBlobs UNIMPLEMENTED: read through ByteStream, and not asked again', async () => {
  const server = await serve({ capabilities: caps([DIGEST_FUNCTION.SHA256]), noBatchRead: true });
  const b = connect(server);
  const blobs = [Buffer.from('first'), Buffer.from('second')];
  for (const data of blobs) await b.cas.put(digestBytes('sha256', data), data, signal());
  for (const data of blobs) assert.ok((await b.cas.get(digestBytes('sha256', data), signal()))?.equals(data));
  assert.equal(await b.cas.get(digestBytes('sha256', Buffer.from('absent')), signal()), undefined);
  assert.deepEqual(server.calls.filter((c) => c.method === 'BatchReadBlobs' || c.method === 'Read').map((c) => c.method), ['BatchReadBlobs', 'Read', 'Read', 'Read']);
});

test('BLAKE3: needs a server that lists it, and names it in every request and resource name', async () => {
  const shaOnly = await serve({ capabilities: caps([DIGEST_FUNCTION.SHA256, DIGEST_FUNCTION.SHA1]) });
  await assert.rejects(connect(shaOnly, {}, 'blake3').cas.findMissing([digestBytes('blake3', Buffer.from('x'))], signal()), (e: unknown) => e instanceof StoreError && e.code === 'unavailable' && /does not accept BLAKE3 digests \(it lists SHA256, SHA1\)/.test(e.message));
  const none = await serve({ capabilities: {} });
  await assert.rejects(connect(none).cas.findMissing([digestBytes('sha256', Buffer.from('x'))], signal()), (e: unknown) => e instanceof StoreError && e.code === 'unavailable' && /offers no cache/.test(e.message));

  const server = await serve({ capabilities: caps([DIGEST_FUNCTION.SHA256, DIGEST_FUNCTION.BLAKE3], 4096) });
  const b = connect(server, {}, 'blake3');
  const small = Buffer.from('blake3 blob');
  const big = Buffer.alloc(10_000, 3);
  for (const data of [small, big]) {
    const d = digestBytes('blake3', data);
    assert.deepEqual(await b.cas.findMissing([d], signal()), [d]);
    await b.cas.put(d, data, signal());
    assert.ok((await b.cas.get(d, signal()))?.equals(data));
  }
  const key = digestBytes('blake3', Buffer.from('key')).hash;
  await b.ac.put(key, { outputFiles: [], exitCode: 1, stdoutRaw: Buffer.from('e') }, signal());
  assert.equal((await b.ac.get(key, signal()))?.exitCode, 1);
  for (const c of server.calls) {
    if (c.method === 'GetCapabilities') continue;
    if (c.method === 'Read' || c.method === 'Write') assert.match(c.detail, new RegExp(`blobs/blake3/${digestBytes('blake3', big).hash}/${big.length}$`));
    else assert.equal(c.detail, String(DIGEST_FUNCTION.BLAKE3), c.method);
  }
});

test('at most maxConnections calls are in flight', async () => {
  const server = await serve({ capabilities: caps([DIGEST_FUNCTION.SHA256]), delayMs: 30 });
  const b = connect(server, { maxConnections: 3 });
  const blobs = Array.from({ length: 12 }, (_, i) => Buffer.from(`blob ${i}`));
  await Promise.all(blobs.map((data) => b.cas.put(digestBytes('sha256', data), data, signal())));
  assert.equal(server.maxInFlight, 3);
  // A call aborted while it waits for a slot gives up at once.
  const waiting = Promise.all(blobs.map((data) => b.cas.findMissing([digestBytes('sha256', data)], AbortSignal.timeout(40))));
  await assert.rejects(waiting, (e: unknown) => e instanceof StoreError && /aborted/.test(e.message));
});

test('grpcs:// with caFile as the CA; without it the server is not trusted', { skip: opensslMissing() }, async () => {
  const { ca, key, cert } = makeCertificates();
  const server = await serve({ capabilities: caps([DIGEST_FUNCTION.SHA256]), credentials: grpc.ServerCredentials.createSsl(null, [{ private_key: key, cert_chain: cert }]) });
  const data = Buffer.from('over TLS');
  const d = digestBytes('sha256', data);
  const b = connect(server, { caFile: ca }, 'sha256', 'grpcs', 'localhost');
  await b.cas.put(d, data, signal());
  assert.ok((await b.cas.get(d, signal()))?.equals(data));
  const untrusting = connect(server, {}, 'sha256', 'grpcs', 'localhost');
  await assert.rejects(untrusting.cas.get(d, signal()), (e: unknown) => e instanceof StoreError && e.code === 'unavailable');
  const plaintext = connect(server, {}, 'sha256', 'grpc', 'localhost');
  await assert.rejects(plaintext.cas.get(d, signal()), (e: unknown) => e instanceof StoreError && e.code === 'unavailable');
});

test('configuration mistakes are ConfigErrors at creation', () => {
  const spec = (over: Partial<RemoteSpec>): RemoteSpec => ({ ...REMOTE_DEFAULTS, url: 'grpc://127.0.0.1:1', ...over });
  assert.throws(() => createGrpcBackend(spec({ url: 'grpc://127.0.0.1:1/instance' }), { algorithm: 'sha256' }), ConfigError);
  assert.throws(() => createGrpcBackend(spec({ url: 'grpcs://127.0.0.1:1', caFile: join(dir, 'absent.pem') }), { algorithm: 'sha256' }), ConfigError);
  assert.throws(() => createGrpcBackend(spec({ headers: { 'bad header': 'x' } }), { algorithm: 'sha256' }), ConfigError);
  assert.throws(() => createGrpcBackend(spec({ headers: { 'x-ok': 'bad\nvalue' } }), { algorithm: 'sha256' }), ConfigError);
});

function opensslMissing(): string | false {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'openssl is not installed';
  }
}

/** A throwaway CA and a certificate it signed for localhost. */
function makeCertificates(): { ca: string; key: Buffer; cert: Buffer } {
  const p = (f: string): string => join(dir, f);
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-subj', '/CN=reprise test CA', '-days', '2');
  ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', '/CN=localhost');
  writeFileSync(p('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p('server.pem'), '-days', '2', '-extfile', p('ext.cnf'));
  return { ca: p('ca.pem'), key: readFileSync(p('server.key')), cert: readFileSync(p('server.pem')) };
}
