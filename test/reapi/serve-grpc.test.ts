// `reprise serve --listen`: REAPI v2 over gRPC, run as the CLI and driven by @grpc/grpc-js
// clients made from reprise's protos: Capabilities, CAS batches (a lying upload refused and not
// stored), the action cache (bytes kept as sent, any instance name, NOT_FOUND once a blob it
// names is gone), ByteStream Read with offset and limit and streamed Write, tokens, grpcs.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { encodeReapiMessage, reapiMethod } from '../../src/reapi/load-reapi-protos.js';
import { DIGEST_FUNCTION } from '../../src/reapi/types.js';
import { createReapiTestClient, type ReapiTestClient } from '../helpers/reapi-test-client.js';
import { startRepriseServe } from '../helpers/servers/reprise-serve.js';
import { makeTestCa } from '../helpers/test-ca.js';

const base = mkdtempSync(join(tmpdir(), 'reprise-serve-grpc-'));
test.after(() => rmSync(base, { recursive: true, force: true }));

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const digestOf = (b: Buffer): { hash: string; sizeBytes: number } => ({ hash: sha(b), sizeBytes: b.length });
const casFile = (store: string, hash: string): string => join(store, 'sha256', 'cas', hash.slice(0, 2), hash.slice(2));

async function codeOf(p: Promise<unknown>): Promise<status> {
  try {
    await p;
  } catch (e) {
    return (e as ServiceError).code;
  }
  return status.OK;
}

async function serve(t: test.TestContext, args: string[] = []): Promise<{ store: string; target: string; client: (token?: string) => ReapiTestClient }> {
  const store = join(mkdtempSync(join(base, 's-')), 'store');
  const server = await startRepriseServe(store, ['--listen', '127.0.0.1:0', ...args]);
  t.after(() => server.stop());
  const target = server.grpc!;
  return {
    store,
    target,
    client: (token) => {
      const c = createReapiTestClient(target, token === undefined ? {} : { token });
      t.after(() => c.close());
      return c;
    },
  };
}

test('Capabilities: a SHA-256 cache with action-cache updates and a 4 MiB batch limit; Execution is not served', async (t) => {
  const { client } = await serve(t);
  const c = client();
  const caps = await c.unary('GetCapabilities', { instanceName: 'any/instance' });
  assert.deepEqual(caps.cacheCapabilities?.digestFunction, [DIGEST_FUNCTION.SHA256]);
  assert.equal(caps.cacheCapabilities?.actionCacheUpdateCapabilities?.updateEnabled, true);
  assert.equal(caps.cacheCapabilities?.maxBatchTotalSizeBytes, 4 * 1024 * 1024);
  assert.equal(caps.executionCapabilities, null);
  assert.equal(await codeOf(c.serverStream('Execute', { actionDigest: digestOf(Buffer.from('x')) })), status.UNIMPLEMENTED);
  assert.equal(caps.highApiVersion?.major, 2);
  assert.equal(await codeOf(c.unary('GetActionResult', { actionDigest: digestOf(Buffer.from('x')), digestFunction: DIGEST_FUNCTION.BLAKE3 })), status.INVALID_ARGUMENT);
});

test('CAS: FindMissingBlobs, BatchUpdateBlobs (a blob that is not its digest is refused and not stored), BatchReadBlobs, GetTree UNIMPLEMENTED', async (t) => {
  const { store, client } = await serve(t);
  const c = client();
  const good = Buffer.from('an object file');
  const real = Buffer.from('the real header');
  const lie = Buffer.from('a poisoned header');
  const empty = Buffer.alloc(0);
  const found = await c.unary('FindMissingBlobs', { instanceName: 'main', blobDigests: [digestOf(good), digestOf(real), digestOf(empty)] });
  assert.deepEqual(found.missingBlobDigests.map((d) => d.hash), [sha(good), sha(real)], 'the empty blob is always there');

  const up = await c.unary('BatchUpdateBlobs', { instanceName: 'main', requests: [{ digest: digestOf(good), data: good }, { digest: digestOf(real), data: lie }] });
  assert.deepEqual(up.responses.map((r) => [r.digest?.hash, r.status?.code]), [[sha(good), status.OK], [sha(real), status.INVALID_ARGUMENT]]);
  assert.ok(existsSync(casFile(store, sha(good))));
  assert.ok(!existsSync(casFile(store, sha(real))), 'the lie is not stored under the real name');
  assert.ok(!existsSync(casFile(store, sha(lie))), 'nor under its own');
  const after = await c.unary('FindMissingBlobs', { blobDigests: [digestOf(good), digestOf(real)] });
  assert.deepEqual(after.missingBlobDigests.map((d) => d.hash), [sha(real)]);
  // A size that does not match is a lie too.
  const sized = await c.unary('BatchUpdateBlobs', { requests: [{ digest: { hash: sha(real), sizeBytes: real.length + 1 }, data: real }] });
  assert.equal(sized.responses[0]?.status?.code, status.INVALID_ARGUMENT);

  const read = await c.unary('BatchReadBlobs', { instanceName: 'other', digests: [digestOf(good), digestOf(real)] });
  assert.equal(read.responses[0]?.status?.code, status.OK);
  assert.ok(read.responses[0]?.data.equals(good));
  assert.equal(read.responses[1]?.status?.code, status.NOT_FOUND);
  assert.equal(await codeOf(c.unary('FindMissingBlobs', { blobDigests: [{ hash: 'xyz', sizeBytes: 1 }] })), status.INVALID_ARGUMENT);
  assert.equal(await codeOf(c.unary('BatchReadBlobs', { digests: [{ hash: sha(good), sizeBytes: 5 * 1024 * 1024 }] })), status.INVALID_ARGUMENT, 'beyond the batch limit');
  assert.equal(await codeOf(c.serverStream('GetTree', { rootDigest: digestOf(good) })), status.UNIMPLEMENTED);
});

/** UpdateActionResultRequest encoded by hand: an ActionResult with a field this server's protos do not know. */
function rawUpdateRequest(instanceName: string, action: { hash: string; sizeBytes: number }, actionResult: Buffer): Buffer {
  const w = protobuf.Writer.create();
  w.uint32((1 << 3) | 2).string(instanceName);
  w.uint32((2 << 3) | 2).fork().uint32((1 << 3) | 2).string(action.hash).uint32(2 << 3).int64(action.sizeBytes).ldelim();
  w.uint32((3 << 3) | 2).bytes(actionResult);
  return Buffer.from(w.finish());
}

test('ActionCache: results kept as the client encoded them, under any instance name; NOT_FOUND once a blob they name is gone', async (t) => {
  const { store, client } = await serve(t);
  const c = client();
  const object = Buffer.from('\x7fELF pretend object');
  const stderr = Buffer.from('warning: unused variable');
  await c.unary('BatchUpdateBlobs', { requests: [{ digest: digestOf(object), data: object }, { digest: digestOf(stderr), data: stderr }] });
  const action = digestOf(Buffer.from('the action'));
  assert.equal(await codeOf(c.unary('GetActionResult', { instanceName: 'ci', actionDigest: action })), status.NOT_FOUND);

  const known = encodeReapiMessage('build.bazel.remote.execution.v2.ActionResult', {
    outputFiles: [{ path: 'out/x.o', digest: digestOf(object), isExecutable: false }],
    exitCode: 0,
    stdoutRaw: Buffer.from('built x.o'),
    stderrDigest: digestOf(stderr),
  });
  const unknownField = Buffer.from([0x98, 0x06, 0x01]); // field 99 (tag 99 << 3 = 792, a two-byte varint), varint 1
  const sent = Buffer.concat([known, unknownField]);
  const echoed = await c.raw('UpdateActionResult', rawUpdateRequest('ci', action, sent));
  assert.ok(echoed.equals(sent));

  const got = await c.raw('GetActionResult', reapiMethod('GetActionResult').requestSerialize({ instanceName: 'developer/laptop', actionDigest: action }));
  assert.ok(got.equals(sent), 'the same bytes, the unknown field with them, through another instance name');
  const decoded = await c.unary('GetActionResult', { actionDigest: action });
  assert.equal(decoded.outputFiles[0]?.path, 'out/x.o');
  assert.equal(decoded.stdoutRaw.toString(), 'built x.o');
  assert.ok(readFileSync(join(store, 'sha256', 'ac', action.hash.slice(0, 2), action.hash.slice(2))).equals(sent));

  // A result must be well-formed to be stored.
  assert.equal(await codeOf(c.raw('UpdateActionResult', rawUpdateRequest('ci', action, Buffer.from([0xff, 0xff])))), status.INVALID_ARGUMENT);
  assert.equal(await codeOf(c.unary('UpdateActionResult', { actionDigest: action })), status.INVALID_ARGUMENT, 'no action_result');

  // Evicted (or lost) output: the entry is no use, and says so.
  rmSync(casFile(store, sha(object)));
  assert.equal(await codeOf(c.unary('GetActionResult', { actionDigest: action })), status.NOT_FOUND);
});

test('ByteStream: a 5 MiB blob written in chunks and read back whole and by offset and limit; a lying write stores nothing', async (t) => {
  const { store, client } = await serve(t);
  const c = client();
  const blob = Buffer.alloc(5 * 1024 * 1024 + 123);
  for (let i = 0; i < blob.length; i += 4) blob.writeUInt32LE((i * 2654435761) >>> 0, Math.min(i, blob.length - 4));
  const h = sha(blob);
  const name = `team/uploads/6a1f0c1e-3b9d-4e2a-9c1d-2f4e5a6b7c8d/blobs/${h}/${blob.length}`;
  assert.equal(await codeOf(c.read(`team/blobs/${h}/${blob.length}`)), status.NOT_FOUND);
  const chunk = 1024 * 1024;
  const requests = [];
  for (let at = 0; at < blob.length; at += chunk) {
    requests.push({ resourceName: at === 0 ? name : '', writeOffset: at, data: blob.subarray(at, at + chunk), finishWrite: at + chunk >= blob.length });
  }
  assert.equal((await c.write(requests)).committedSize, blob.length);
  assert.ok((await c.read(`team/blobs/${h}/${blob.length}`)).equals(blob));
  assert.ok((await c.read(`blobs/${h}/${blob.length}`, 1_000_000, 3000)).equals(blob.subarray(1_000_000, 1_003_000)));
  assert.ok((await c.read(`blobs/${h}/${blob.length}`, blob.length - 10)).equals(blob.subarray(blob.length - 10)));
  assert.equal(await codeOf(c.read(`blobs/${h}/${blob.length}`, blob.length + 1)), status.OUT_OF_RANGE);
  const q = await c.unary('QueryWriteStatus', { resourceName: name });
  assert.deepEqual([q.committedSize, q.complete], [blob.length, true]);

  const fake = Buffer.from(blob);
  fake.writeUInt8(fake.readUInt8(4242) ^ 1, 4242);
  const fakeName = `uploads/u2/blobs/${sha(Buffer.from('something else entirely'))}/${fake.length}`;
  const fakeRequests = requests.map((r) => ({ ...r, resourceName: r.resourceName === '' ? '' : fakeName, data: fake.subarray(r.writeOffset, r.writeOffset + chunk) }));
  assert.equal(await codeOf(c.write(fakeRequests)), status.INVALID_ARGUMENT);
  assert.ok(!existsSync(casFile(store, sha(Buffer.from('something else entirely')))));
  assert.ok(!existsSync(casFile(store, sha(fake))));
  assert.equal(await codeOf(c.write([{ resourceName: `uploads/u3/blobs/${h}/${blob.length}`, writeOffset: 0, data: blob.subarray(0, 10) }])), status.INVALID_ARGUMENT, 'no finish_write');
  assert.equal(await codeOf(c.write([{ resourceName: `uploads/u4/blobs/${h}/${blob.length}`, writeOffset: 7, data: blob.subarray(0, 10), finishWrite: true }])), status.INVALID_ARGUMENT, 'a gap');
});

test('tokens over gRPC metadata: none or unknown is UNAUTHENTICATED, a read token reads and its writes are PERMISSION_DENIED', async (t) => {
  const tokens = join(base, 'grpc-tokens');
  writeFileSync(tokens, 'read r-token\nread-write w-token\n');
  const { client } = await serve(t, ['--token-file', tokens]);
  const blob = Buffer.from('bazel output');
  const action = digestOf(Buffer.from('an action'));
  const result = { outputFiles: [{ path: 'o', digest: digestOf(blob) }] };
  for (const c of [client(), client('wrong')]) {
    assert.equal(await codeOf(c.unary('GetCapabilities', {})), status.UNAUTHENTICATED);
    assert.equal(await codeOf(c.unary('FindMissingBlobs', { blobDigests: [digestOf(blob)] })), status.UNAUTHENTICATED);
    assert.equal(await codeOf(c.read(`blobs/${sha(blob)}/${blob.length}`)), status.UNAUTHENTICATED);
  }
  const reader = client('r-token');
  assert.equal(await codeOf(reader.unary('GetCapabilities', {})), status.OK);
  assert.equal(await codeOf(reader.unary('BatchUpdateBlobs', { requests: [{ digest: digestOf(blob), data: blob }] })), status.PERMISSION_DENIED);
  assert.equal(await codeOf(reader.write([{ resourceName: `uploads/u/blobs/${sha(blob)}/${blob.length}`, data: blob, finishWrite: true }])), status.PERMISSION_DENIED);
  assert.equal(await codeOf(reader.unary('UpdateActionResult', { actionDigest: action, actionResult: result })), status.PERMISSION_DENIED);
  assert.equal((await reader.unary('FindMissingBlobs', { blobDigests: [digestOf(blob)] })).missingBlobDigests.length, 1, 'nothing was stored');

  const writer = client('w-token');
  assert.equal((await writer.write([{ resourceName: `uploads/u/blobs/${sha(blob)}/${blob.length}`, data: blob, finishWrite: true }])).committedSize, blob.length);
  await writer.unary('UpdateActionResult', { actionDigest: action, actionResult: result });
  assert.equal((await reader.unary('GetActionResult', { actionDigest: action })).outputFiles[0]?.path, 'o');
  assert.ok((await reader.read(`blobs/${sha(blob)}/${blob.length}`)).equals(blob));
});

test('grpcs: TLS with a certificate from a CA made by openssl', async (t) => {
  const ca = await makeTestCa(mkdtempSync(join(base, 'ca-')));
  const { target } = await serve(t, ['--tls-cert', ca.certFile, '--tls-key', ca.keyFile]);
  const trusting = createReapiTestClient(target, { creds: credentials.createSsl(ca.caPem) });
  t.after(() => trusting.close());
  const blob = Buffer.from('over grpcs');
  await trusting.unary('BatchUpdateBlobs', { requests: [{ digest: digestOf(blob), data: blob }] });
  assert.ok((await trusting.read(`blobs/${sha(blob)}/${blob.length}`)).equals(blob));
  const plain = createReapiTestClient(target);
  t.after(() => plain.close());
  assert.equal(await codeOf(plain.unary('GetCapabilities', {})), status.UNAVAILABLE, 'plaintext to the TLS port');
  const untrusting = createReapiTestClient(target, { creds: credentials.createSsl() });
  t.after(() => untrusting.close());
  assert.equal(await codeOf(untrusting.unary('GetCapabilities', {})), status.UNAVAILABLE, 'a CA the client does not trust');
});
