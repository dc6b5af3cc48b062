import * as grpc from '@grpc/grpc-js';
import { ReapiCallError } from '../../reapi/create-reapi-client.js';
import type { RpcStatus } from '../../reapi/types.js';
import { StoreError } from '../types.js';

/** Statuses that say the remote cannot serve now (down, overloaded, refusing us), not that an operation went wrong. */
const UNAVAILABLE_CODES: ReadonlySet<number> = new Set([
  grpc.status.UNAVAILABLE,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.CANCELLED,
  grpc.status.UNAUTHENTICATED,
  grpc.status.RESOURCE_EXHAUSTED,
  grpc.status.UNIMPLEMENTED,
]);

/** A failed REAPI call as the store reports it: 'refused', 'unavailable' or 'io', with the remote's name. */
export function grpcStoreError(name: string, e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  if (e instanceof ReapiCallError) {
    // A token that may read but not write: counted as refused, and the remote stays in use.
    if (!e.aborted && e.code === grpc.status.PERMISSION_DENIED) return new StoreError('refused', `${name}: ${e.message}`);
    return new StoreError(e.aborted || UNAVAILABLE_CODES.has(e.code) ? 'unavailable' : 'io', `${name}: ${e.message}`);
  }
  return new StoreError('io', `${name}: ${e instanceof Error ? e.message : String(e)}`);
}

/** A per-blob status of a batch call (BatchReadBlobs, BatchUpdateBlobs) as a StoreError. */
export function batchStatusError(name: string, method: string, status: RpcStatus): StoreError {
  return grpcStoreError(name, new ReapiCallError(method, status.code, status.message));
}

export function isNotFound(e: unknown): boolean {
  return e instanceof ReapiCallError && !e.aborted && e.code === grpc.status.NOT_FOUND;
}

export function isUnimplemented(e: unknown): boolean {
  return e instanceof ReapiCallError && !e.aborted && e.code === grpc.status.UNIMPLEMENTED;
}
