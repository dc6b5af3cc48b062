import { Metadata, status, type StatusObject } from '@grpc/grpc-js';
import { StoreError } from '../../store/types.js';
import { checkAccess } from './check-access.js';
import type { Access, TokenTable } from './types.js';

/** A failed call's status, as grpc-js handlers report it. */
export type GrpcFailure = Partial<StatusObject> & { code: status; details: string };

export function failure(code: status, details: string): GrpcFailure {
  return { code, details };
}

/**
 * Whether a call may go on: undefined, or its UNAUTHENTICATED / PERMISSION_DENIED status.
 * The token comes from `authorization: Bearer TOKEN` metadata (Bazel's --remote_header).
 */
export function denied(tokens: TokenTable, metadata: Metadata, need: Access): GrpcFailure | undefined {
  const value = metadata.get('authorization')[0];
  const auth = checkAccess(tokens, typeof value === 'string' ? value : undefined);
  if (!auth.ok) return failure(status.UNAUTHENTICATED, auth.reason === 'missing' ? 'a token is required (authorization: Bearer TOKEN)' : 'unknown token');
  if (need === 'read-write' && auth.access !== 'read-write') return failure(status.PERMISSION_DENIED, 'this token may only read');
  return undefined;
}

/** REAPI's meaning of a store failure: a digest that does not match is the client's error. */
export function storeFailure(e: unknown): GrpcFailure {
  if (e instanceof StoreError) {
    if (e.code === 'corrupt') return failure(status.INVALID_ARGUMENT, e.message);
    if (e.code === 'too-large' || e.code === 'no-space') return failure(status.RESOURCE_EXHAUSTED, e.message);
  }
  return failure(status.INTERNAL, (e as Error).message);
}

/** REAPI requests may name their digest function (v2.3); this server has only SHA-256. */
export function digestFunctionProblem(digestFunction: number | undefined): GrpcFailure | undefined {
  // 0: unset (the server's one), 1: SHA256.
  return digestFunction === undefined || digestFunction === 0 || digestFunction === 1
    ? undefined
    : failure(status.INVALID_ARGUMENT, `digest function ${digestFunction}: this server stores SHA-256 only`);
}

/** Thrown inside a handler to end the call with this status. */
export class CallFailure extends Error {
  override readonly name = 'CallFailure';
  constructor(readonly failure: GrpcFailure) {
    super(failure.details);
  }
}

/** The status a handler's exception stands for. */
export function statusOf(e: unknown): GrpcFailure {
  return e instanceof CallFailure ? e.failure : storeFailure(e);
}
