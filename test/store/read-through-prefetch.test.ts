// The read-through store's prefetch (issue 16's remote-only warm build): a manifest fetched
// from a remote starts the fetch of its newest entry's result and blobs; the result is
// written back and counted as a hit only when a lookup uses it, and the prefetched result
// passes the same checks as any (a blob that does not match its digest is no hit).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
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
import { encodeEntry } from '../../src/store/remote/entry-envelope.js';
import { createEntryTrust } from '../../src/store/remote/entry-trust.js';
import { createReadThroughStore } from '../../src/store/remote/read-through-store.js';
import type { RemoteTier } from '../../src/store/remote/remote-tier.js';
import type { RemoteActionResult, RemoteBackend } from '../../src/store/remote/types.js';
import { createUploadQueue } from '../../src/store/remote/upload-queue.js';
import type { ActionResult } from '../../src/store/types.js';

const algorithm = 'sha256' as const;
const trust = createEntryTrust({ publicKeys: [], salt: '' });
const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

function setup(t: { after(fn: () => void): void }, objectOnServer: (real: Buffer) => Buffer) {
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
    [manifestKey, encodeEntry('manifest', manifestKey, JSON.stringify(manifest), [], trust)],
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
  const localCas = createLocalCas({ dir, algorithm });
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
    fetched: (m) => {
      const newest = m.entries[0];
      if (newest) actions.prefetch(newest.resultKey);
    },
  });
  return { manifests, actions, localActions, localCas, counts, acGets, manifestKey, resultKey, objectDigest };
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
