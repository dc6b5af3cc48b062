// The read-through store's prefetch and write-back (issue 16's remote-only warm build): a
// manifest fetched from a remote starts the fetch of its newest entry's result and blobs; the
// result is counted as a hit only when a lookup uses it, and the prefetched result passes the
// same checks as any (a blob that does not match its digest is no hit). A hit is answered from
// the fetched, verified bytes and written back after: blobs first, the entry only once they
// are stored, so a failed write-back leaves a miss, never an entry without its blobs.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { digestBytes, emptyDigest } from '../../src/hashing/create-hasher.js';
import { parseManifest, type Manifest } from '../../src/pipeline/manifest.js';
import type { RemoteCounter } from '../../src/stats/stat-names.js';
import { createLocalActionCache } from '../../src/store/local/create-local-action-cache.js';
import { createLocalCas } from '../../src/store/local/create-local-cas.js';
import { createLocalJsonStore } from '../../src/store/local/create-local-json-store.js';
import { parseActionResult } from '../../src/store/parse-action-result.js';
import { decodeEntry, encodeEntry } from '../../src/store/remote/entry-envelope.js';
import { createEntryTrust } from '../../src/store/remote/entry-trust.js';
import { createReadThroughStore } from '../../src/store/remote/read-through-store.js';
import { createStagedCas } from '../../src/store/remote/staged-cas.js';
import type { RemoteTier } from '../../src/store/remote/remote-tier.js';
import type { RemoteActionResult, RemoteBackend } from '../../src/store/remote/types.js';
import { createUploadQueue } from '../../src/store/remote/upload-queue.js';
import type { ActionResult } from '../../src/store/types.js';

const algorithm = 'sha256' as const;
const trust = createEntryTrust({ publicKeys: [], salt: '' });
const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

function setup(t: { after(fn: () => void): void }, objectOnServer: (real: Buffer) => Buffer, blobWritesFail = () => false, carry = false) {
  const dir = mkdtempSync(join(tmpdir(), 'reprise-prefetch-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const object = Buffer.from('an object file');
  const objectDigest = digestBytes(algorithm, object);
  const empty = emptyDigest(algorithm);
  const result: ActionResult = {
    schema: 1, outputs: [{ role: 'object', path: 'x.o', digest: objectDigest.hash, size: object.length, mode: 0o644 }],
    stdoutDigest: empty, stderrDigest: empty, exitCode: 0, durationMs: 100, createdAt: new Date(0).toISOString(), sandboxed: true,
  };
  const resultKey = 'b'.repeat(64);
  const manifestKey = 'a'.repeat(64);
  const manifest: Manifest = { schema: 1, entries: [{ inputs: [{ path: '$PWD/x.c', digest: 'c'.repeat(64) }], absent: [], present: [], resultKey }] };
  const ac = new Map<string, RemoteActionResult>([
    [manifestKey, encodeEntry('manifest', manifestKey, JSON.stringify(manifest), [], trust,
      carry ? { kind: 'result', key: resultKey, body: JSON.stringify(result), blobs: [objectDigest, { hash: empty, size: 0 }] } : undefined)],
    [resultKey, encodeEntry('result', resultKey, JSON.stringify(result), [objectDigest], trust)],
  ]);
  const served = objectOnServer(object);
  const acGets: string[] = [];
  const backend: RemoteBackend = {
    name: 'fake://remote',
    cas: {
      findMissing: async (ds) => ds.slice(),
      get: async (d) => (d.hash === objectDigest.hash ? served : undefined),
      put: async () => undefined,
    },
    ac: {
      get: async (key) => {
        acGets.push(key);
        return ac.get(key);
      },
      put: async () => undefined,
    },
    close: async () => undefined,
  };
  const counts = new Map<RemoteCounter, number>();
  const tier: RemoteTier = {
    name: backend.name, role: 'read', backend, uploads: createUploadQueue({ limit: 8, concurrency: 1 }),
    count: (c, n = 1) => void counts.set(c, (counts.get(c) ?? 0) + n),
  };
  const diskCas = createLocalCas({ dir, algorithm });
  const failing = {
    ...diskCas,
    put: async (d: string, data: Buffer) => {
      if (blobWritesFail()) throw new Error('no space left (injected)');
      await diskCas.put(d, data);
    },
  };
  const localCas = createStagedCas(failing, () => undefined);
  const localActions = createLocalActionCache({ dir });
  const common = { tiers: [tier], trust, algorithm, localCas, log: quiet, remoteKey: (k: string) => k };
  const actions = createReadThroughStore<ActionResult>(localActions, {
    ...common, kind: 'result', parse: parseActionResult,
    blobsOf: (r) => [...r.outputs.map((o) => o.digest), r.stdoutDigest, r.stderrDigest],
    shareable: (r) => r.sandboxed && r.exitCode === 0,
    savedMs: (r) => r.durationMs,
  });
  const manifests = createReadThroughStore<Manifest>(createLocalJsonStore(dir, 'manifests', { parse: parseManifest }), {
    ...common, kind: 'manifest', parse: parseManifest, blobsOf: () => [], shareable: () => true,
    fetched: (m, carried) => {
      const newest = m.entries[0];
      if (newest) actions.prefetch(newest.resultKey, carried);
    },
  });
  return { manifests, actions, localActions, localCas, diskCas, counts, acGets, manifestKey, resultKey, objectDigest };
}

/** Lets the prefetch's fetches and writes run. */
const settle = () => new Promise((r) => setTimeout(r, 50));

test('a remote manifest prefetches its newest result; the lookup uses it, one fetch, one hit', async (t) => {
  const s = setup(t, (real) => real);
  assert.ok(await s.manifests.get(s.manifestKey));
  await settle();
  assert.deepEqual(s.acGets, [s.manifestKey, s.resultKey], 'the result was fetched before anyone asked for it');
  assert.equal(await s.localActions.get(s.resultKey), undefined, 'not written back before it is used');
  assert.equal(s.counts.get('hits'), 1, 'only the manifest counted so far');
  const result = await s.actions.get(s.resultKey);
  assert.equal(result?.outputs[0]?.digest, s.objectDigest.hash);
  assert.deepEqual(s.acGets, [s.manifestKey, s.resultKey], 'no second fetch');
  assert.equal(s.counts.get('hits'), 2);
  await settle();
  assert.ok(await s.localActions.get(s.resultKey), 'written back once used');
  assert.deepEqual(await s.localCas.findMissing([s.objectDigest.hash]), []);
});

test('an unused prefetch stores the verified blobs and neither the entry nor a hit', async (t) => {
  const s = setup(t, (real) => real);
  await s.manifests.get(s.manifestKey);
  await settle();
  assert.equal(s.counts.get('hits'), 1);
  assert.equal(await s.localActions.get(s.resultKey), undefined);
  assert.deepEqual(await s.localCas.findMissing([s.objectDigest.hash]), []);
});

test('a prefetched result whose blob does not match its digest is no hit, and nothing of it is stored', async (t) => {
  const s = setup(t, (real) => Buffer.from(real.toString().toUpperCase()));
  await s.manifests.get(s.manifestKey);
  assert.equal(await s.actions.get(s.resultKey), undefined);
  assert.equal(s.counts.get('corrupt'), 1);
  assert.equal(s.counts.get('hits'), 1, 'the manifest only');
  assert.equal(await s.localActions.get(s.resultKey), undefined);
  assert.deepEqual(await s.localCas.findMissing([s.objectDigest.hash]), [s.objectDigest.hash]);
});

test('a remote hit is answered from the fetched bytes; blobs, then the entry, are written after', async (t) => {
  const s = setup(t, (real) => real);
  await s.manifests.get(s.manifestKey);
  const result = await s.actions.get(s.resultKey);
  assert.ok(result);
  // What the replay reads, in the same turn of the loop as the hit:
  assert.equal((await s.localCas.get(s.objectDigest.hash))?.toString(), 'an object file');
  assert.deepEqual(await s.diskCas.findMissing([s.objectDigest.hash]), [s.objectDigest.hash], 'not yet on disk');
  assert.equal(await s.localActions.get(s.resultKey), undefined, 'nor the entry');
  assert.equal(await s.actions.get(s.resultKey), result, 'a second lookup meanwhile gets it without a fetch');
  await settle();
  assert.deepEqual(await s.diskCas.findMissing([s.objectDigest.hash]), []);
  assert.ok(await s.localActions.get(s.resultKey));
  assert.deepEqual(s.acGets, [s.manifestKey, s.resultKey]);
});

test('a write-back that fails after the reply leaves no entry; the next lookup fetches it again, whole', async (t) => {
  let fail = true;
  const s = setup(t, (real) => real, () => fail);
  await s.manifests.get(s.manifestKey);
  const served = await s.actions.get(s.resultKey);
  assert.ok(served, 'the hit was answered from verified bytes');
  assert.equal(s.counts.get('hits'), 2);
  await settle();
  assert.equal(await s.localActions.get(s.resultKey), undefined, 'no entry without its blob');
  assert.deepEqual(await s.localCas.findMissing([s.objectDigest.hash]), [s.objectDigest.hash], 'the blob is neither staged nor stored');
  assert.equal(await s.localCas.get(s.objectDigest.hash), undefined);
  fail = false;
  const again = await s.actions.get(s.resultKey);
  assert.equal(again?.outputs[0]?.digest, s.objectDigest.hash);
  assert.deepEqual(s.acGets, [s.manifestKey, s.resultKey, s.resultKey], 'fetched again');
  assert.equal((await s.localCas.get(s.objectDigest.hash))?.toString(), 'an object file');
  await settle();
  assert.ok(await s.localActions.get(s.resultKey));
  assert.equal((await s.diskCas.get(s.objectDigest.hash))?.toString(), 'an object file');
});

test('a manifest that carries its newest result: one entry fetch for both, then the blobs', async (t) => {
  const s = setup(t, (real) => real, () => false, true);
  await s.manifests.get(s.manifestKey);
  const result = await s.actions.get(s.resultKey);
  assert.equal(result?.outputs[0]?.digest, s.objectDigest.hash);
  assert.deepEqual(s.acGets, [s.manifestKey], 'the result came inside the manifest');
  assert.equal(s.counts.get('hits'), 2);
  await settle();
  assert.ok(await s.localActions.get(s.resultKey));
  assert.deepEqual(await s.diskCas.findMissing([s.objectDigest.hash]), []);
});

test('a carried result is checked as any: a blob that does not match its digest is no hit', async (t) => {
  const s = setup(t, (real) => Buffer.from(real.toString().toUpperCase()), () => false, true);
  await s.manifests.get(s.manifestKey);
  assert.equal(await s.actions.get(s.resultKey), undefined);
  assert.equal(s.counts.get('corrupt'), 1);
  assert.equal(s.counts.get('hits'), 1, 'the manifest only');
  assert.deepEqual(s.acGets, [s.manifestKey], 'the same result is not fetched again for the same blobs');
  await settle();
  assert.equal(await s.localActions.get(s.resultKey), undefined);
});

test('with trusted keys, a carried entry must be signed on its own terms; a manifest that carries a forged one is still used', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'reprise-carried-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const signingKeyFile = join(dir, 'key.pem');
  writeFileSync(signingKeyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }));
  const signed = createEntryTrust({ signingKeyFile, publicKeys: [publicKey.export({ format: 'pem', type: 'spki' }).toString()], salt: '' });
  const m = 'a'.repeat(64);
  const r = 'b'.repeat(64);
  const entry = encodeEntry('manifest', m, '{"schema":1,"entries":[]}', [], signed, { kind: 'result', key: r, body: '{"x":1}', blobs: [] });
  const ok = decodeEntry('manifest', m, entry, signed);
  assert.equal(ok.kind === 'ok' && ok.carries?.body, '{"x":1}');
  const env = JSON.parse(entry.stdoutRaw.toString());
  env.carries.body = '{"x":2}';
  const forged = decodeEntry('manifest', m, { ...entry, stdoutRaw: Buffer.from(JSON.stringify(env)) }, signed);
  assert.equal(forged.kind, 'ok');
  assert.equal(forged.kind === 'ok' && forged.carries, undefined, 'the forged result is left out');
  delete env.carries.sig;
  env.carries.body = '{"x":1}';
  const unsigned = decodeEntry('manifest', m, { ...entry, stdoutRaw: Buffer.from(JSON.stringify(env)) }, signed);
  assert.equal(unsigned.kind === 'ok' && unsigned.carries, undefined, 'so is an unsigned one');
});

test('an uploaded manifest carries its newest result (blobs first), and a reader gets both with one entry fetch', async (t) => {
  const ac = new Map<string, RemoteActionResult>();
  const cas = new Map<string, Buffer>();
  const acGets: string[] = [];
  const backend: RemoteBackend = {
    name: 'mem://remote',
    cas: {
      findMissing: async (ds) => ds.filter((d) => !cas.has(d.hash)),
      get: async (d) => cas.get(d.hash),
      put: async (d, data) => void cas.set(d.hash, data),
    },
    ac: {
      get: async (key) => {
        acGets.push(key);
        return ac.get(key);
      },
      put: async (key, r) => {
        // A reader never sees an entry before the blobs it (and what it carries) names.
        for (const f of r.outputFiles) if (f.digest.size > 0) assert.ok(cas.has(f.digest.hash), `blob ${f.digest.hash} before ${key}`);
        ac.set(key, r);
      },
    },
    close: async () => undefined,
  };
  const machine = (role: 'read' | 'read-write') => {
    const dir = mkdtempSync(join(tmpdir(), 'reprise-carry-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const counts = new Map<RemoteCounter, number>();
    const uploads = createUploadQueue({ limit: 8, concurrency: 2 });
    const tier: RemoteTier = { name: backend.name, role, backend, uploads, count: (c, n = 1) => void counts.set(c, (counts.get(c) ?? 0) + n) };
    const localCas = createStagedCas(createLocalCas({ dir, algorithm }), () => undefined);
    const localActions = createLocalActionCache({ dir });
    const common = { tiers: [tier], trust, algorithm, localCas, log: quiet, remoteKey: (k: string) => k };
    const blobsOf = (r: ActionResult) => [...r.outputs.map((o) => o.digest), r.stdoutDigest, r.stderrDigest];
    const shareable = (r: ActionResult) => r.sandboxed && r.exitCode === 0;
    const actions = createReadThroughStore<ActionResult>(localActions, { ...common, kind: 'result', parse: parseActionResult, blobsOf, shareable });
    const manifests = createReadThroughStore<Manifest>(createLocalJsonStore(dir, 'manifests', { parse: parseManifest }), {
      ...common, kind: 'manifest', parse: parseManifest, blobsOf: () => [], shareable: () => true,
      fetched: (m, carried) => m.entries[0] && actions.prefetch(m.entries[0].resultKey, carried),
      // As src/pipeline/share-stores.ts does:
      carry: async (m) => {
        const newest = m.entries[0];
        const r = newest && (await localActions.get(newest.resultKey));
        return newest && r && shareable(r) ? { kind: 'result' as const, key: newest.resultKey, body: JSON.stringify(r), blobs: blobsOf(r) } : undefined;
      },
    });
    return { actions, manifests, localCas, uploads, counts };
  };
  const object = Buffer.from('the object');
  const od = digestBytes(algorithm, object).hash;
  const empty = emptyDigest(algorithm);
  const result: ActionResult = {
    schema: 1, outputs: [{ role: 'object', path: 'y.o', digest: od, size: object.length, mode: 0o644 }],
    stdoutDigest: empty, stderrDigest: empty, exitCode: 0, durationMs: 5, createdAt: new Date(0).toISOString(), sandboxed: true,
  };
  const resultKey = 'd'.repeat(64);
  const manifestKey = 'e'.repeat(64);
  const writer = machine('read-write');
  await writer.localCas.put(od, object);
  await writer.localCas.put(empty, Buffer.alloc(0));
  await writer.actions.put(resultKey, result);
  await writer.manifests.put(manifestKey, { schema: 1, entries: [{ inputs: [{ path: '$PWD/y.c', digest: 'c'.repeat(64) }], absent: [], present: [], resultKey }] });
  await writer.uploads.drain(5000);
  assert.equal(writer.counts.get('uploads'), 2, 'each entry is still uploaded under its own key');
  const reader = machine('read');
  acGets.length = 0;
  assert.ok(await reader.manifests.get(manifestKey));
  const got = await reader.actions.get(resultKey);
  assert.deepEqual(got, result);
  assert.deepEqual(acGets, [manifestKey]);
  assert.equal((await reader.localCas.get(od))?.toString(), 'the object');
});

test('an entry that shares a staged blob with another waits for that blob\'s write: when it fails, neither entry is written', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'reprise-shared-blob-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const empty = emptyDigest(algorithm);
  const shared = Buffer.from('a shared object');
  const slow = Buffer.from('a second output, slow to come');
  const sd = digestBytes(algorithm, shared);
  const wd = digestBytes(algorithm, slow);
  const resultOf = (outs: Array<{ d: { hash: string; size: number } }>): ActionResult => ({
    schema: 1, outputs: outs.map((o, i) => ({ role: 'object', path: `${i}.o`, digest: o.d.hash, size: o.d.size, mode: 0o644 })),
    stdoutDigest: empty, stderrDigest: empty, exitCode: 0, durationMs: 1, createdAt: new Date(0).toISOString(), sandboxed: true,
  });
  const k1 = '1'.repeat(64);
  const k2 = '2'.repeat(64);
  const ac = new Map<string, RemoteActionResult>([
    [k1, encodeEntry('result', k1, JSON.stringify(resultOf([{ d: sd }])), [sd], trust)],
    [k2, encodeEntry('result', k2, JSON.stringify(resultOf([{ d: sd }, { d: wd }])), [sd, wd], trust)],
  ]);
  const backend: RemoteBackend = {
    name: 'fake://remote',
    cas: {
      findMissing: async (ds) => ds.slice(),
      get: async (d) => (d.hash === sd.hash ? shared : d.hash === wd.hash ? new Promise((r) => setTimeout(() => r(slow), 30)) : undefined),
      put: async () => undefined,
    },
    ac: { get: async (key) => ac.get(key), put: async () => undefined },
    close: async () => undefined,
  };
  const tier: RemoteTier = { name: backend.name, role: 'read', backend, uploads: createUploadQueue({ limit: 8, concurrency: 1 }), count: () => undefined };
  const disk = createLocalCas({ dir, algorithm });
  // The shared blob's write fails; the slow one's would succeed.
  const localCas = createStagedCas({ ...disk, put: async (d, data) => (d === sd.hash ? Promise.reject(new Error('injected')) : disk.put(d, data)) }, () => undefined);
  const localActions = createLocalActionCache({ dir });
  const actions = createReadThroughStore<ActionResult>(localActions, {
    tiers: [tier], trust, algorithm, localCas, log: quiet, remoteKey: (k: string) => k, kind: 'result', parse: parseActionResult,
    blobsOf: (r) => [...r.outputs.map((o) => o.digest), r.stdoutDigest, r.stderrDigest], shareable: (r) => r.sandboxed,
  });
  // The second lookup comes in the turn of the first's reply: it finds the shared blob staged
  // (not fetched again), and that blob's write fails while its slow one is still on the way.
  const r1 = await actions.get(k1);
  const r2 = await actions.get(k2);
  assert.ok(r1 && r2, 'both answered from verified bytes');
  await settle();
  assert.equal(await localActions.get(k1), undefined);
  assert.equal(await localActions.get(k2), undefined, 'its blob was staged by the other lookup, and that write failed');
});
