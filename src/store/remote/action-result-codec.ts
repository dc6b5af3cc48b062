// The one encoding of an action-cache entry on every remote: protobuf binary of REAPI v2
// ActionResult. The gRPC backend sends the message itself; the HTTP and Redis backends store
// these bytes (bazel-remote's /ac/ layout holds the same), so an entry written through one
// protocol reads the same through another.
import { decodeReapiMessage, encodeReapiMessage } from '../../reapi/load-reapi-protos.js';
import type { Outgoing, WireActionResult } from '../../reapi/types.js';
import { fromWireDigest, toWireDigest } from '../../reapi/wire-digest.js';
import type { RemoteActionResult, RemoteOutputFile } from './types.js';

const ACTION_RESULT = 'build.bazel.remote.execution.v2.ActionResult';

export function encodeActionResult(r: RemoteActionResult): Buffer {
  return encodeReapiMessage(ACTION_RESULT, toReapiActionResult(r));
}

/** The entry, or undefined for bytes that are not an ActionResult reprise can use (never throws). */
export function decodeActionResult(b: Buffer): RemoteActionResult | undefined {
  let wire: WireActionResult;
  try {
    wire = decodeReapiMessage(ACTION_RESULT, b);
  } catch {
    return undefined;
  }
  return fromReapiActionResult(wire);
}

export function toReapiActionResult(r: RemoteActionResult): Outgoing<WireActionResult> {
  return {
    outputFiles: r.outputFiles.map((f) => ({ path: f.path, digest: toWireDigest(f.digest), isExecutable: f.isExecutable })),
    exitCode: r.exitCode,
    stdoutRaw: r.stdoutRaw,
  };
}

/**
 * Validates a decoded ActionResult: every output names a path and a well-formed digest. What
 * reprise does not write (output directories, symlinks, stderr, metadata) is ignored.
 */
export function fromReapiActionResult(w: WireActionResult): RemoteActionResult | undefined {
  if (!Number.isInteger(w.exitCode) || !Array.isArray(w.outputFiles) || !Buffer.isBuffer(w.stdoutRaw)) return undefined;
  const outputFiles: RemoteOutputFile[] = [];
  for (const f of w.outputFiles) {
    const digest = fromWireDigest(f.digest);
    if (!digest || typeof f.path !== 'string' || f.path === '' || f.path.includes('\0')) return undefined;
    outputFiles.push({ path: f.path, digest, isExecutable: f.isExecutable === true });
  }
  return { outputFiles, exitCode: w.exitCode, stdoutRaw: w.stdoutRaw };
}

/**
 * An entry as a byte store (HTTP, Redis) holds it. Bytes that are not an ActionResult are a
 * broken entry, not an outage: an empty result, which the envelope check refuses as corrupt.
 */
export function decodeStoredActionResult(b: Buffer): RemoteActionResult {
  return decodeActionResult(b) ?? { outputFiles: [], exitCode: 0, stdoutRaw: Buffer.alloc(0) };
}
