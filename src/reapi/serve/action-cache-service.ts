import { status, type handleUnaryCall } from '@grpc/grpc-js';
import type { Digest } from '../../hashing/types.js';
import { decodeReapiMessage } from '../load-reapi-protos.js';
import type { GetActionResultRequest, UpdateActionResultRequest, WireActionResult, WireDigest } from '../types.js';
import { fromWireDigest } from '../wire-digest.js';
import { denied, digestFunctionProblem, failure, storeFailure } from './grpc-status.js';
import type { ServeStore, TokenTable } from './types.js';

const ACTION_RESULT = 'build.bazel.remote.execution.v2.ActionResult';

/**
 * UpdateActionResult's request as this server decodes it: the fields, and the ActionResult's
 * bytes exactly as the client encoded them (field 3), which is what the action cache keeps,
 * so fields this server's protos leave out survive the round trip.
 */
export interface RawUpdateActionResultRequest extends UpdateActionResultRequest {
  actionResultBytes: Buffer | undefined;
}

export interface ActionCacheService {
  /** Answers the stored ActionResult's bytes as they are. */
  GetActionResult: handleUnaryCall<GetActionResultRequest, Buffer>;
  UpdateActionResult: handleUnaryCall<RawUpdateActionResultRequest, Buffer>;
}

/**
 * ActionCache over the server's store. An entry is answered only when every blob it names is
 * in the CAS (outputs, stdout and stderr, and the files of output directories' trees), as
 * bazel-remote does: after an eviction, a client gets NOT_FOUND and runs the action, rather
 * than a hit it cannot download. Looking counts as a use of those blobs (LRU).
 */
export function actionCacheService(store: ServeStore, tokens: TokenTable): ActionCacheService {
  return {
    async GetActionResult(call, callback) {
      const no = denied(tokens, call.metadata, 'read') ?? digestFunctionProblem(call.request.digestFunction);
      if (no) return callback(no);
      const key = fromWireDigest(call.request.actionDigest);
      if (!key) return callback(failure(status.INVALID_ARGUMENT, 'action_digest is not a SHA-256 digest'));
      try {
        const found = await completeActionResult(store, key.hash);
        if ('missing' in found) return callback(failure(status.NOT_FOUND, found.missing));
        callback(null, found.bytes);
      } catch (e) {
        callback(storeFailure(e));
      }
    },

    async UpdateActionResult(call, callback) {
      const no = denied(tokens, call.metadata, 'read-write') ?? digestFunctionProblem(call.request.digestFunction);
      if (no) return callback(no);
      const key = fromWireDigest(call.request.actionDigest);
      if (!key) return callback(failure(status.INVALID_ARGUMENT, 'action_digest is not a SHA-256 digest'));
      const bytes = call.request.actionResultBytes;
      if (!bytes) return callback(failure(status.INVALID_ARGUMENT, 'no action_result'));
      const result = decodeResult(bytes);
      if (!result || !wellFormed(result)) return callback(failure(status.INVALID_ARGUMENT, 'action_result is not an ActionResult with SHA-256 digests'));
      const w = store.startActionPut(key.hash);
      try {
        await w.write(bytes);
        await w.commit();
        callback(null, bytes);
      } catch (e) {
        await w.abort();
        callback(storeFailure(e));
      }
    },
  };
}

/**
 * An action-cache entry whose every blob is in the CAS (its bytes as stored, and decoded), or
 * why it does not count. Looking counts as a use of those blobs (LRU).
 */
export async function completeActionResult(store: ServeStore, key: string): Promise<{ bytes: Buffer; result: WireActionResult } | { missing: string }> {
  const bytes = await store.getAction(key);
  const result = bytes && decodeResult(bytes);
  if (!bytes || !result) return { missing: 'not in the action cache' };
  const needed = await blobsOf(store, result);
  if (!needed) return { missing: 'the action result names an output directory whose tree is not a Tree' };
  // Checked on disk: clients (Bazel among them) take a result's outputs as there to read.
  const missing = await store.findMissing(needed, { fresh: true });
  if (missing.length > 0) return { missing: `the action result names ${missing.length} blobs the CAS no longer holds` };
  return { bytes, result };
}

function decodeResult(bytes: Buffer): WireActionResult | undefined {
  try {
    return decodeReapiMessage(ACTION_RESULT, bytes);
  } catch {
    return undefined;
  }
}

/** The digests an ActionResult sets directly (output files, trees, stdout and stderr). */
function namedDigests(r: WireActionResult): Array<WireDigest | null> {
  return [...r.outputFiles.map((f) => f.digest), ...r.outputDirectories.map((d) => d.treeDigest), r.stdoutDigest, r.stderrDigest];
}

function wellFormed(r: WireActionResult): boolean {
  return namedDigests(r).every((w) => w === null || fromWireDigest(w) !== undefined) && r.outputFiles.every((f) => f.digest !== null);
}

/** Every blob a result needs: its own digests, and the files of each output directory's Tree (undefined: a tree is not one). */
async function blobsOf(store: ServeStore, r: WireActionResult): Promise<Digest[] | undefined> {
  const own = namedDigests(r).flatMap((w) => {
    const d = w && fromWireDigest(w);
    return d ? [d] : [];
  });
  const inTrees: Digest[] = [];
  for (const dir of r.outputDirectories) {
    const treeDigest = fromWireDigest(dir.treeDigest);
    const blob = treeDigest && (await store.readBlob(treeDigest.hash));
    if (!blob) continue; // missing: findMissing reports the tree itself
    try {
      const tree = decodeReapiMessage('build.bazel.remote.execution.v2.Tree', blob);
      for (const d of [tree.root, ...tree.children]) {
        for (const f of d?.files ?? []) {
          const fd = fromWireDigest(f.digest);
          if (fd) inTrees.push(fd);
        }
      }
    } catch {
      return undefined;
    }
  }
  return [...own, ...inTrees];
}
