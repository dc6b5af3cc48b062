import { status, type handleServerStreamingCall, type handleUnaryCall } from '@grpc/grpc-js';
import type { Digest } from '../../hashing/types.js';
import type {
  BatchReadBlobsRequest,
  BatchReadBlobsResponse,
  BatchUpdateBlobsRequest,
  BatchUpdateBlobsResponse,
  FindMissingBlobsRequest,
  FindMissingBlobsResponse,
  GetTreeRequest,
  GetTreeResponse,
  Outgoing,
  RpcStatus,
} from '../types.js';
import { fromWireDigest, toWireDigest } from '../wire-digest.js';
import { MAX_BATCH_TOTAL_SIZE_BYTES } from './capabilities-service.js';
import { denied, digestFunctionProblem, failure, storeFailure } from './grpc-status.js';
import type { ServeStore, TokenTable } from './types.js';

export interface CasService {
  FindMissingBlobs: handleUnaryCall<FindMissingBlobsRequest, Outgoing<FindMissingBlobsResponse>>;
  BatchUpdateBlobs: handleUnaryCall<BatchUpdateBlobsRequest, Outgoing<BatchUpdateBlobsResponse>>;
  BatchReadBlobs: handleUnaryCall<BatchReadBlobsRequest, Outgoing<BatchReadBlobsResponse>>;
  GetTree: handleServerStreamingCall<GetTreeRequest, Outgoing<GetTreeResponse>>;
}

const OK: Outgoing<RpcStatus> = { code: status.OK };

/**
 * ContentAddressableStorage over the server's store. Every blob a batch uploads is checked
 * against its digest, and one that does not match gets INVALID_ARGUMENT and is not stored
 * (the others in the batch are). GetTree is not needed by a cache's clients: UNIMPLEMENTED.
 */
export function casService(store: ServeStore, tokens: TokenTable): CasService {
  return {
    async FindMissingBlobs(call, callback) {
      const no = denied(tokens, call.metadata, 'read') ?? digestFunctionProblem(call.request.digestFunction);
      if (no) return callback(no);
      const digests = digestsOf(call.request.blobDigests);
      if (!digests) return callback(failure(status.INVALID_ARGUMENT, 'a digest is not 64 lowercase hex digits and a size'));
      try {
        callback(null, { missingBlobDigests: (await store.findMissing(digests)).map(toWireDigest) });
      } catch (e) {
        callback(storeFailure(e));
      }
    },

    async BatchUpdateBlobs(call, callback) {
      const no = denied(tokens, call.metadata, 'read-write') ?? digestFunctionProblem(call.request.digestFunction);
      if (no) return callback(no);
      const responses: Outgoing<BatchUpdateBlobsResponse>['responses'] = [];
      for (const r of call.request.requests) {
        const digest = fromWireDigest(r.digest);
        if (!digest) {
          responses.push({ digest: r.digest, status: { code: status.INVALID_ARGUMENT, message: 'not a SHA-256 digest' } });
          continue;
        }
        try {
          await store.putBlob(digest, r.data);
          responses.push({ digest: r.digest, status: OK });
        } catch (e) {
          const f = storeFailure(e);
          responses.push({ digest: r.digest, status: { code: f.code, message: f.details } });
        }
      }
      callback(null, { responses });
    },

    async BatchReadBlobs(call, callback) {
      const no = denied(tokens, call.metadata, 'read') ?? digestFunctionProblem(call.request.digestFunction);
      if (no) return callback(no);
      const digests = digestsOf(call.request.digests);
      if (!digests) return callback(failure(status.INVALID_ARGUMENT, 'a digest is not 64 lowercase hex digits and a size'));
      const total = digests.reduce((sum, d) => sum + d.size, 0);
      if (total > MAX_BATCH_TOTAL_SIZE_BYTES) {
        return callback(failure(status.INVALID_ARGUMENT, `the batch asks for ${total} bytes, more than max_batch_total_size_bytes (${MAX_BATCH_TOTAL_SIZE_BYTES}): use ByteStream Read`));
      }
      const responses: Outgoing<BatchReadBlobsResponse>['responses'] = [];
      for (const d of digests) {
        try {
          const data = await store.readBlob(d.hash);
          responses.push(data && data.length === d.size
            ? { digest: toWireDigest(d), data, status: OK }
            : { digest: toWireDigest(d), status: { code: status.NOT_FOUND, message: 'not in the CAS' } });
        } catch (e) {
          const f = storeFailure(e);
          responses.push({ digest: toWireDigest(d), status: { code: f.code, message: f.details } });
        }
      }
      callback(null, { responses });
    },

    GetTree(call) {
      call.emit('error', failure(status.UNIMPLEMENTED, 'GetTree is not implemented by reprise serve (a cache, not an executor)'));
    },
  };
}

/** The digests of a request, or undefined if any is malformed. */
function digestsOf(wire: FindMissingBlobsRequest['blobDigests']): Digest[] | undefined {
  const out: Digest[] = [];
  for (const w of wire) {
    const d = fromWireDigest(w);
    if (!d) return undefined;
    out.push(d);
  }
  return out;
}
