// The REAPI gRPC backend against a real third-party server: Bazel 4.2.3's remote worker
// (test/helpers/bazel-remote-worker.ts). It has no BatchReadBlobs, a 4 MiB batch limit and
// SHA-256 only, and answers INVALID_ARGUMENT to calls without RequestMetadata, so it checks the
// fallbacks as well as the common path. Locally a machine without java or the worker's packages
// skips; CI installs and builds them (.ci/run), so there a missing worker fails.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { REMOTE_DEFAULTS, type RemoteSpec } from '../../src/config/remote-spec.js';
import { digestBytes } from '../../src/hashing/create-hasher.js';
import type { Digest } from '../../src/hashing/types.js';
import { createReapiClient, ReapiCallError } from '../../src/reapi/create-reapi-client.js';
import { DIGEST_FUNCTION } from '../../src/reapi/types.js';
import { createGrpcBackend } from '../../src/store/remote/grpc-backend.js';
import type { RemoteActionResult, RemoteBackend } from '../../src/store/remote/types.js';
import { StoreError } from '../../src/store/types.js';
import { bazelWorkerJar, startBazelWorker, type BazelWorker } from '../helpers/bazel-remote-worker.js';
import { freePort } from '../helpers/servers/free-port.js';

const found = bazelWorkerJar();
const skip = 'missing' in found ? (process.env.CI ? false : found.missing) : false;

const dir = mkdtempSync(join(tmpdir(), 'reprise-grpc-worker-'));
let worker: BazelWorker | undefined;
const backends: RemoteBackend[] = [];

test.before(async () => {
  if ('jar' in found) worker = await startBazelWorker(found.jar, dir);
});
test.after(async () => {
  for (const b of backends) await b.close();
  await worker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The running worker (under CI, a missing one fails with the reason). */
function running(): BazelWorker {
  if ('missing' in found) assert.fail(found.missing);
  assert.ok(worker, 'the worker is running');
  return worker;
}

function backend(extra: Partial<RemoteSpec> = {}, algorithm: 'sha256' | 'blake3' = 'sha256'): RemoteBackend {
  const b = createGrpcBackend({ ...REMOTE_DEFAULTS, url: `grpc://127.0.0.1:${running().port}`, ...extra }, { algorithm });
  backends.push(b);
  return b;
}

const signal = (): AbortSignal => AbortSignal.timeout(30_000);
const unique = (label: string): Buffer => Buffer.from(`${label} ${process.pid} ${Date.now()} ${Math.random()}`);
const sha = (b: Buffer): Digest => digestBytes('sha256', b);

test('the worker starts, and answers GetCapabilities as its README says', { skip }, async (t) => {
  const w = running();
  t.diagnostic(`remote worker started in ${w.startMs.toFixed(0)} ms (spawn to pid file), port ${w.port}`);
  const md = new grpc.Metadata();
  md.set('build.bazel.remote.execution.v2.requestmetadata-bin', Buffer.alloc(0));
  const client = createReapiClient({ target: `127.0.0.1:${w.port}`, credentials: grpc.credentials.createInsecure(), metadata: md, maxInFlight: 1 });
  try {
    const caps = await client.unary('GetCapabilities', { instanceName: '' }, signal());
    assert.deepEqual(caps.cacheCapabilities?.digestFunction, [DIGEST_FUNCTION.SHA256]);
    assert.equal(caps.cacheCapabilities?.maxBatchTotalSizeBytes, 4 << 20);
    assert.equal(caps.highApiVersion?.major, 2);
    // Without requestmetadata-bin it refuses every call: the backend must send it.
    const bare = createReapiClient({ target: `127.0.0.1:${w.port}`, credentials: grpc.credentials.createInsecure(), metadata: new grpc.Metadata(), maxInFlight: 1 });
    await assert.rejects(bare.unary('FindMissingBlobs', { blobDigests: [{ hash: 'a'.repeat(64), sizeBytes: 1 }] }, signal()), (e: unknown) => e instanceof ReapiCallError && e.code === grpc.status.INVALID_ARGUMENT);
    bare.close();
  } finally {
    client.close();
  }
});

test('small blobs: findMissing, put, get; the empty blob is known without a call', { skip }, async () => {
  for (const instance of ['', 'team/ci']) {
    const b = backend({ instance });
    const blobs = [unique('one'), unique('two'), unique('three')];
    const digests = blobs.map(sha);
    const empty = sha(Buffer.alloc(0));
    assert.deepEqual(await b.cas.findMissing([...digests, empty], signal()), digests, 'the empty blob is never missing (the worker would list it)');
    for (const [i, data] of blobs.entries()) await b.cas.put(digests[i] as Digest, data, signal());
    await b.cas.put(empty, Buffer.alloc(0), signal());
    assert.deepEqual(await b.cas.findMissing([...digests, empty], signal()), []);
    for (const [i, data] of blobs.entries()) assert.ok((await b.cas.get(digests[i] as Digest, signal()))?.equals(data), `${instance}: blob ${i}`);
    assert.equal((await b.cas.get(empty, signal()))?.length, 0);
  }
});

test('a blob over the 4 MiB batch limit goes through ByteStream Write and Read', { skip }, async (t) => {
  const b = backend({ instance: 'big' });
  const data = Buffer.alloc(5 << 20);
  for (let i = 0; i < data.length; i += 4096) data.writeUInt32LE((i * 2654435761) >>> 0, i);
  unique('big').copy(data);
  const d = sha(data);
  assert.deepEqual(await b.cas.findMissing([d], signal()), [d]);
  let t0 = performance.now();
  await b.cas.put(d, data, signal());
  const putMs = performance.now() - t0;
  assert.deepEqual(await b.cas.findMissing([d], signal()), []);
  t0 = performance.now();
  const back = await b.cas.get(d, signal());
  t.diagnostic(`5 MiB: ByteStream Write ${putMs.toFixed(0)} ms, Read ${(performance.now() - t0).toFixed(0)} ms`);
  assert.ok(back?.equals(data));
});

test('action cache: put then get gives the same result; an unknown key is undefined', { skip }, async () => {
  const b = backend();
  const object = unique('object');
  const result: RemoteActionResult = {
    outputFiles: [
      { path: 'out/main.o', digest: sha(object), isExecutable: false },
      { path: 'out/tool', digest: sha(unique('tool')), isExecutable: true },
    ],
    exitCode: 0,
    stdoutRaw: Buffer.from(JSON.stringify({ envelope: 'reprise', n: 1 })),
  };
  const key = sha(unique('key')).hash;
  assert.equal(await b.ac.get(key, signal()), undefined);
  await b.ac.put(key, result, signal());
  assert.deepEqual(await b.ac.get(key, signal()), result);
  // A second client (another daemon) reads the same entry.
  assert.deepEqual(await backend().ac.get(key, signal()), result);
  await assert.rejects(b.ac.get('../etc/passwd', signal()), (e: unknown) => e instanceof StoreError && e.code === 'corrupt');
});

test('NOT_FOUND is undefined: small (BatchReadBlobs is unimplemented, so ByteStream) and big blobs', { skip }, async () => {
  const b = backend();
  assert.equal(await b.cas.get(sha(unique('absent small')), signal()), undefined);
  assert.equal(await b.cas.get({ hash: sha(unique('absent big')).hash, size: 6 << 20 }, signal()), undefined);
  assert.equal(await b.cas.get({ hash: 'b'.repeat(64), size: 0 }, signal()), undefined, 'size 0 is only the empty blob');
});

test('the digest function: a BLAKE3 cache cannot use this SHA-256-only server', { skip }, async () => {
  const b = backend({}, 'blake3');
  const d = digestBytes('blake3', unique('blake3'));
  await assert.rejects(b.cas.findMissing([d], signal()), (e: unknown) => e instanceof StoreError && e.code === 'unavailable' && /does not accept BLAKE3 digests \(it lists SHA256\)/.test(e.message) && e.message.includes(b.name));
  await assert.rejects(b.ac.get(d.hash, signal()), (e: unknown) => e instanceof StoreError && e.code === 'unavailable');
});

test('every call honors its signal: aborted before, while waiting, and mid-transfer', { skip }, async () => {
  const b = backend({ maxConnections: 1 });
  const data = Buffer.alloc(8 << 20, 1);
  unique('abort').copy(data);
  const d = sha(data);
  await b.cas.put(d, data, signal()); // also fetches the capabilities
  const isAborted = (e: unknown): boolean => e instanceof StoreError && e.code === 'unavailable' && /aborted/.test(e.message);
  await assert.rejects(b.cas.get(d, AbortSignal.abort()), isAborted);
  const controller = new AbortController();
  const t0 = performance.now();
  const reading = b.cas.get(d, controller.signal);
  const waiting = b.cas.findMissing([d], controller.signal); // queued behind the read (one slot)
  setTimeout(() => controller.abort(new Error('test timeout')), 5);
  await assert.rejects(reading, isAborted);
  await assert.rejects(waiting, isAborted);
  assert.ok(performance.now() - t0 < 2000, 'cancelled promptly');
  // The slot was given back: the backend still works.
  assert.deepEqual(await b.cas.findMissing([d], signal()), []);
});

test('a server that is down fails fast with StoreError unavailable', async () => {
  const port = await freePort();
  const b = createGrpcBackend({ ...REMOTE_DEFAULTS, url: `grpc://127.0.0.1:${port}` }, { algorithm: 'sha256' });
  try {
    const t0 = performance.now();
    await assert.rejects(b.cas.get(sha(Buffer.from('x')), signal()), (e: unknown) => e instanceof StoreError && e.code === 'unavailable' && e.message.startsWith(`grpc://127.0.0.1:${port}: `) && /UNAVAILABLE/.test(e.message));
    await assert.rejects(b.ac.put('c'.repeat(64), { outputFiles: [], exitCode: 0, stdoutRaw: Buffer.alloc(0) }, signal()), (e: unknown) => e instanceof StoreError && e.code === 'unavailable');
    assert.ok(performance.now() - t0 < 3000, `failed in ${(performance.now() - t0).toFixed(0)} ms`);
  } finally {
    await b.close();
  }
  await assert.rejects(b.cas.findMissing([sha(Buffer.from('y'))], signal()), (e: unknown) => e instanceof StoreError && e.code === 'unavailable', 'closed');
});
