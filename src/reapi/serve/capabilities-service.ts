import type { handleUnaryCall } from '@grpc/grpc-js';
import { DIGEST_FUNCTION, type GetCapabilitiesRequest, type Outgoing, type ServerCapabilities } from '../types.js';
import { denied } from './grpc-status.js';
import type { TokenTable } from './types.js';

/** BatchUpdateBlobs and BatchReadBlobs take this much data a call; larger blobs go through ByteStream. */
export const MAX_BATCH_TOTAL_SIZE_BYTES = 4 * 1024 * 1024;

/** SymlinkAbsolutePathStrategy.Value ALLOWED: the action cache keeps results as given, symlinks and all. */
const SYMLINKS_ALLOWED = 2;

/** Capabilities: a cache of SHA-256 blobs whose action cache clients may update, and an executor with `--execute`. */
export function capabilitiesService(tokens: TokenTable, execute = false): { GetCapabilities: handleUnaryCall<GetCapabilitiesRequest, Outgoing<ServerCapabilities>> } {
  return {
    GetCapabilities(call, callback) {
      const no = denied(tokens, call.metadata, 'read');
      if (no) return callback(no);
      callback(null, {
        cacheCapabilities: {
          digestFunction: [DIGEST_FUNCTION.SHA256],
          actionCacheUpdateCapabilities: { updateEnabled: true },
          maxBatchTotalSizeBytes: MAX_BATCH_TOTAL_SIZE_BYTES,
          symlinkAbsolutePathStrategy: SYMLINKS_ALLOWED,
        },
        ...(execute ? { executionCapabilities: { digestFunction: DIGEST_FUNCTION.SHA256, execEnabled: true } } : {}),
        lowApiVersion: { major: 2, minor: 0, patch: 0 },
        highApiVersion: { major: 2, minor: 1, patch: 0 },
      });
    },
  };
}
