// The blobs an action needs on the server, uploaded once: FindMissingBlobs over all of them
// (the Action, the Command, every Directory and file of the input root) but those the server
// had a moment ago (a few small ones are sent without asking), then the missing ones
// in BatchUpdateBlobs calls of at most the server's batch size, and larger ones through
// ByteStream Write. Files are read only when they must be sent. Uploads in flight are shared:
// two actions that both need cc1 wait for one upload. The empty blob is never sent (Bazel's
// worker never stores it and needs none).
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import { digestBytes, emptyDigest } from '../../hashing/create-hasher.js';
import type { Digest, DigestAlgorithm } from '../../hashing/types.js';
import { uploadResourceName } from '../../reapi/blob-resource-name.js';
import { ReapiCallError, type ReapiClient } from '../../reapi/create-reapi-client.js';
import { toWireDigest } from '../../reapi/wire-digest.js';
import { writeByteStream } from '../../reapi/write-byte-stream.js';
import type { BlobSource, RemoteAction } from './types.js';

export interface UploadContext {
  client: ReapiClient;
  instance: string;
  algorithm: DigestAlgorithm;
  /** Blobs up to this size go in batches, and a batch holds at most this many bytes. */
  maxBatchBytes: number;
  /** DigestFunction for requests (0 for SHA-256, as REAPI 2.0 clients send). */
  digestFunction: number;
  /** Uploads in flight, by digest hash, shared by every action of one executor. */
  inFlight: Map<string, Promise<void>>;
  /**
   * Blobs the server had (FindMissingBlobs said so, or we uploaded them), by hash, with when:
   * not asked about again for PRESENT_FOR_MS (a toolchain's ~200 blobs in every action). The
   * caller clears it when the server says an input is missing after all.
   */
  present: Map<string, number>;
}

/** How long a blob the server had is taken as still there without asking. */
const PRESENT_FOR_MS = 60_000;
const PRESENT_MAX = 100_000;

export interface UploadReport {
  blobs: number;
  bytes: number;
}

/** What one blob adds to a BatchUpdateBlobs message besides its bytes: its digest and the framing (a server's limit counts the whole message). */
const PER_BLOB_FRAMING = 128;
/** Unknown blobs sent without asking the server first, when there are at most this many, of at most this many bytes in all. */
const SEND_UNASKED_BLOBS = 64;
const SEND_UNASKED_BYTES = 256 * 1024;
/** Digests per FindMissingBlobs call, far below any message limit. */
const FIND_MISSING_CHUNK = 4096;

export async function uploadActionBlobs(ctx: UploadContext, action: RemoteAction, signal: AbortSignal): Promise<UploadReport> {
  const all = new Map<string, { digest: Digest; source: BlobSource }>();
  all.set(action.digest.hash, { digest: action.digest, source: { kind: 'bytes', data: action.action } });
  all.set(action.commandDigest.hash, { digest: action.commandDigest, source: { kind: 'bytes', data: action.command } });
  for (const d of action.inputRoot.directories.values()) all.set(d.digest.hash, { digest: d.digest, source: { kind: 'bytes', data: d.data } });
  for (const f of action.inputRoot.files.values()) all.set(f.digest.hash, f);
  const emptyHash = emptyDigest(ctx.algorithm);
  const now = performance.now();
  const known = (hash: string): boolean => {
    const at = ctx.present.get(hash);
    return at !== undefined && now - at < PRESENT_FOR_MS;
  };
  const sawPresent = (blobs: Array<{ digest: Digest }>): void => {
    if (ctx.present.size >= PRESENT_MAX) ctx.present.clear();
    const at = performance.now();
    for (const b of blobs) ctx.present.set(b.digest.hash, at);
  };
  const asked = [...all.values()].filter((b) => !(b.digest.size === 0 && b.digest.hash === emptyHash) && !known(b.digest.hash));

  const missing: Array<{ digest: Digest; source: BlobSource }> = [];
  // An action's usual unknowns (its Action and Command, the source, a few Directory messages)
  // are a few KiB: sending them costs less than a FindMissingBlobs round trip to ask first.
  const unaskedBytes = asked.reduce((n, b) => n + b.digest.size, 0);
  if (asked.length <= SEND_UNASKED_BLOBS && unaskedBytes <= SEND_UNASKED_BYTES) missing.push(...asked.splice(0));
  for (let i = 0; i < asked.length; i += FIND_MISSING_CHUNK) {
    const chunk = asked.slice(i, i + FIND_MISSING_CHUNK);
    const res = await ctx.client.unary('FindMissingBlobs', { instanceName: ctx.instance, blobDigests: chunk.map((b) => toWireDigest(b.digest)), digestFunction: ctx.digestFunction }, signal);
    const named = new Set(res.missingBlobDigests.map((m) => `${m.hash}/${m.sizeBytes}`));
    for (const b of chunk) if (named.has(`${b.digest.hash}/${b.digest.size}`)) missing.push(b);
    sawPresent(chunk.filter((b) => !named.has(`${b.digest.hash}/${b.digest.size}`)));
  }

  const report: UploadReport = { blobs: 0, bytes: 0 };
  const waits: Array<Promise<void>> = [];
  const mine: Array<{ digest: Digest; source: BlobSource }> = [];
  for (const b of missing) {
    const shared = ctx.inFlight.get(b.digest.hash);
    if (shared) waits.push(shared);
    else mine.push(b);
  }
  // Small blobs in batches (largest first, packed greedily), large ones one stream each.
  const small = mine.filter((b) => b.digest.size <= ctx.maxBatchBytes).sort((a, b) => b.digest.size - a.digest.size);
  const batches: Array<{ bytes: number; blobs: Array<{ digest: Digest; source: BlobSource }> }> = [];
  for (const b of small) {
    const cost = b.digest.size + PER_BLOB_FRAMING;
    const open = batches.find((batch) => batch.bytes + cost <= ctx.maxBatchBytes);
    if (open) {
      open.blobs.push(b);
      open.bytes += cost;
    } else batches.push({ bytes: cost, blobs: [b] });
  }
  const track = (blobs: Array<{ digest: Digest }>, work: Promise<void>): Promise<void> => {
    for (const b of blobs) ctx.inFlight.set(b.digest.hash, work);
    const forget = (): void => {
      for (const b of blobs) if (ctx.inFlight.get(b.digest.hash) === work) ctx.inFlight.delete(b.digest.hash);
    };
    work.then(forget, forget);
    return work;
  };
  const count = (blobs: Array<{ digest: Digest }>): void => {
    sawPresent(blobs);
    report.blobs += blobs.length;
    for (const b of blobs) report.bytes += b.digest.size;
  };
  for (const { blobs: batch } of batches) {
    waits.push(
      track(
        batch,
        (async () => {
          const requests = await Promise.all(batch.map(async (b) => ({ digest: toWireDigest(b.digest), data: await blobBytes(b.source, b.digest, ctx.algorithm) })));
          const res = await ctx.client.unary('BatchUpdateBlobs', { instanceName: ctx.instance, requests, digestFunction: ctx.digestFunction }, signal);
          for (const r of res.responses) {
            if (r.status && r.status.code !== grpc.status.OK) throw new ReapiCallError('BatchUpdateBlobs', r.status.code, `${r.digest?.hash ?? '?'}: ${r.status.message}`);
          }
          count(batch);
        })(),
      ),
    );
  }
  for (const b of mine.filter((x) => x.digest.size > ctx.maxBatchBytes)) {
    waits.push(
      track(
        [b],
        (async () => {
          await writeByteStream(ctx.client, uploadResourceName(ctx.instance, randomUUID(), ctx.algorithm, b.digest), await blobBytes(b.source, b.digest, ctx.algorithm), signal);
          count([b]);
        })(),
      ),
    );
  }
  const results = await Promise.allSettled(waits);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return report;
}

/** A blob's bytes, checked against its digest (a file that changed since it was hashed must not be sent under the old name). */
async function blobBytes(source: BlobSource, digest: Digest, algorithm: DigestAlgorithm): Promise<Buffer> {
  if (source.kind === 'bytes') return source.data;
  const data = await readFile(source.path);
  if (data.length !== digest.size || digestBytes(algorithm, data).hash !== digest.hash) {
    throw new BlobChangedError(`${source.path} changed since it was hashed`);
  }
  return data;
}

/** An input file changed between hashing and upload: the action is no longer what was built. */
export class BlobChangedError extends Error {
  override readonly name = 'BlobChangedError';
}
