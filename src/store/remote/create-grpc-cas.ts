// The CAS half of the REAPI gRPC backend (grpc-backend.ts). Blobs that fit the server's batch
// limit go through BatchReadBlobs/BatchUpdateBlobs, larger ones through ByteStream; a server
// without the batch calls (Bazel's remote worker has no BatchReadBlobs) is remembered and read
// through ByteStream from then on. The empty blob is known and never sent.
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { emptyDigest } from '../../hashing/create-hasher.js';
import type { Digest, DigestAlgorithm } from '../../hashing/types.js';
import { blobResourceName, uploadResourceName } from '../../reapi/blob-resource-name.js';
import type { CacheLimits } from '../../reapi/check-cache-capabilities.js';
import type { ReapiClient } from '../../reapi/create-reapi-client.js';
import { readByteStream } from '../../reapi/read-byte-stream.js';
import type { WireDigest } from '../../reapi/types.js';
import { toWireDigest } from '../../reapi/wire-digest.js';
import { writeByteStream } from '../../reapi/write-byte-stream.js';
import { StoreError } from '../types.js';
import { batchStatusError, grpcStoreError, isNotFound, isUnimplemented } from './grpc-store-error.js';
import type { RemoteCas } from './types.js';

/** What the CAS shares with the rest of the backend. */
export interface GrpcContext {
  /** The remote's URL, for messages. */
  name: string;
  instance: string;
  algorithm: DigestAlgorithm;
  client: ReapiClient;
  /** The server's cache capabilities, asked once (a StoreError when it cannot be this cache's remote). */
  limits(signal: AbortSignal): Promise<CacheLimits>;
}

/** Digests per FindMissingBlobs call: about 100 bytes each, far below any message limit. */
const FIND_MISSING_CHUNK = 4096;

export function createGrpcCas(ctx: GrpcContext): RemoteCas {
  const { name, instance: instanceName, algorithm, client } = ctx;
  const emptyHash = emptyDigest(algorithm);
  const isEmpty = (d: Digest): boolean => d.size === 0 && d.hash === emptyHash;
  let batchReadWorks = true;
  let batchUpdateWorks = true;

  async function batchRead(d: Digest, limits: CacheLimits, signal: AbortSignal): Promise<Buffer | undefined | 'unimplemented'> {
    let res;
    try {
      res = await client.unary('BatchReadBlobs', { instanceName, digests: [toWireDigest(d)], digestFunction: limits.digestFunction }, signal);
    } catch (e) {
      if (isUnimplemented(e)) return 'unimplemented';
      throw grpcStoreError(name, e);
    }
    const r = answerFor(res.responses, d);
    if (!r) throw new StoreError('io', `${name}: BatchReadBlobs answered without ${d.hash}/${d.size}`);
    const code = r.status?.code ?? grpc.status.OK;
    if (code === grpc.status.NOT_FOUND) return undefined;
    if (code !== grpc.status.OK && r.status) throw batchStatusError(name, 'BatchReadBlobs', r.status);
    return r.data;
  }

  async function batchUpdate(d: Digest, data: Buffer, limits: CacheLimits, signal: AbortSignal): Promise<'done' | 'unimplemented'> {
    let res;
    try {
      res = await client.unary('BatchUpdateBlobs', { instanceName, requests: [{ digest: toWireDigest(d), data }], digestFunction: limits.digestFunction }, signal);
    } catch (e) {
      if (isUnimplemented(e)) return 'unimplemented';
      throw grpcStoreError(name, e);
    }
    const r = answerFor(res.responses, d);
    if (!r) throw new StoreError('io', `${name}: BatchUpdateBlobs answered without ${d.hash}/${d.size}`);
    if (r.status && r.status.code !== grpc.status.OK) throw batchStatusError(name, 'BatchUpdateBlobs', r.status);
    return 'done';
  }

  return {
    async findMissing(digests, signal) {
      const asked = digests.filter((d) => !isEmpty(d));
      if (asked.length === 0) return [];
      const limits = await ctx.limits(signal);
      const missing = new Set<string>();
      for (let i = 0; i < asked.length; i += FIND_MISSING_CHUNK) {
        const chunk = asked.slice(i, i + FIND_MISSING_CHUNK);
        try {
          const res = await client.unary('FindMissingBlobs', { instanceName, blobDigests: chunk.map(toWireDigest), digestFunction: limits.digestFunction }, signal);
          for (const m of res.missingBlobDigests) missing.add(`${m.hash}/${m.sizeBytes}`);
        } catch (e) {
          throw grpcStoreError(name, e);
        }
      }
      return asked.filter((d) => missing.has(`${d.hash}/${d.size}`));
    },

    async get(d, signal) {
      if (isEmpty(d)) return Buffer.alloc(0);
      if (d.size === 0) return undefined; // only the empty blob has no bytes
      const limits = await ctx.limits(signal);
      if (batchReadWorks && d.size <= limits.maxBatchBlobBytes) {
        const got = await batchRead(d, limits, signal);
        if (got !== 'unimplemented') return got;
        batchReadWorks = false;
      }
      try {
        return await readByteStream(client, blobResourceName(instanceName, algorithm, d), d.size, signal);
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw grpcStoreError(name, e);
      }
    },

    async put(d, data, signal) {
      if (isEmpty(d)) return;
      const limits = await ctx.limits(signal);
      if (batchUpdateWorks && data.length <= limits.maxBatchBlobBytes) {
        if ((await batchUpdate(d, data, limits, signal)) === 'done') return;
        batchUpdateWorks = false;
      }
      try {
        await writeByteStream(client, uploadResourceName(instanceName, randomUUID(), algorithm, d), data, signal);
      } catch (e) {
        throw grpcStoreError(name, e);
      }
    },
  };
}

/**
 * The answer about `d` in a batch response to a one-blob request. Bazel's remote worker leaves
 * the digest out of BatchUpdateBlobs answers, so a lone answer without one is taken as this blob's.
 */
function answerFor<T extends { digest: WireDigest | null }>(responses: T[], d: Digest): T | undefined {
  const named = responses.find((x) => x.digest?.hash === d.hash && x.digest.sizeBytes === d.size);
  if (named) return named;
  const only = responses.length === 1 ? responses[0] : undefined;
  return only && (!only.digest || only.digest.hash === '') ? only : undefined;
}
