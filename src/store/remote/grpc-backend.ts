// The REAPI v2 gRPC remote (grpc:// plaintext, grpcs:// TLS): ContentAddressableStorage,
// ActionCache, ByteStream and Capabilities of any REAPI server (Bazel's remote worker,
// bazel-remote, Buildbarn, BuildGrid, NativeLink, `reprise serve`). Capabilities are asked once,
// on first use: a server that does not take this cache's digest function is 'unavailable'.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { ConfigError } from '../../config/config-error.js';
import type { RemoteSpec } from '../../config/remote-spec.js';
import { digestBytes, isDigestHex } from '../../hashing/create-hasher.js';
import type { DigestAlgorithm } from '../../hashing/types.js';
import { checkCacheCapabilities, MAX_BATCH_BYTES, type CacheLimits } from '../../reapi/check-cache-capabilities.js';
import { createReapiClient } from '../../reapi/create-reapi-client.js';
import { encodeReapiMessage } from '../../reapi/load-reapi-protos.js';
import type { WireDigest } from '../../reapi/types.js';
import { fromWireDigest } from '../../reapi/wire-digest.js';
import { packageVersion } from '../../runtime/package-version.js';
import { StoreError } from '../types.js';
import { fromReapiActionResult, toReapiActionResult } from './action-result-codec.js';
import { createGrpcCas, type GrpcContext } from './create-grpc-cas.js';
import { grpcStoreError, isNotFound } from './grpc-store-error.js';
import type { RemoteActionCache, RemoteBackend } from './types.js';

/**
 * The size in the action digest of every action-cache call. A reprise key is a hash, not the
 * digest of an Action uploaded to the CAS, so it has no size of its own; servers want one, and
 * some refuse size 0 with a non-empty hash (bazel-remote). Every reprise client must send the
 * same number: it is part of how reprise's entries are named on a REAPI server.
 */
export const ACTION_KEY_SIZE = 1;

/** The binary header every REAPI call carries (Bazel's remote worker refuses calls without it). */
const REQUEST_METADATA_HEADER = 'build.bazel.remote.execution.v2.requestmetadata-bin';

export function createGrpcBackend(spec: RemoteSpec, opts: { algorithm: DigestAlgorithm }): RemoteBackend {
  const name = spec.url;
  const { target, tls } = grpcTarget(spec.url);
  const client = createReapiClient({
    target,
    credentials: tls ? grpc.credentials.createSsl(spec.caFile !== undefined ? readCaFile(name, spec.caFile) : null) : grpc.credentials.createInsecure(),
    metadata: callMetadata(spec),
    maxInFlight: spec.maxConnections,
    channelOptions: { 'grpc.max_receive_message_length': MAX_BATCH_BYTES + (1 << 20), 'grpc.primary_user_agent': `reprise/${packageVersion()}` },
  });
  const closing = new AbortController();

  let asked: Promise<CacheLimits> | undefined;
  const cacheLimits = (): Promise<CacheLimits> => {
    if (!asked) {
      const p = (async () => {
        const signal = AbortSignal.any([closing.signal, AbortSignal.timeout(spec.timeoutMs)]);
        const caps = await client.unary('GetCapabilities', { instanceName: spec.instance }, signal).catch((e: unknown) => {
          throw grpcStoreError(name, e);
        });
        const checked = checkCacheCapabilities(caps, opts.algorithm);
        if ('problem' in checked) throw new StoreError('unavailable', `${name}: ${checked.problem}`);
        return checked;
      })();
      asked = p;
      // A failure is asked again by the next call (the breaker decides how soon that is).
      p.catch(() => {
        if (asked === p) asked = undefined;
      });
    }
    return asked;
  };

  const ctx: GrpcContext = { name, instance: spec.instance, algorithm: opts.algorithm, client, limits: (signal) => withSignal(cacheLimits(), signal, name) };
  const cas = createGrpcCas(ctx);

  const actionDigest = (key: string): WireDigest => {
    if (!isDigestHex(key)) throw new StoreError('corrupt', `${name}: not a key: ${JSON.stringify(key)}`);
    return { hash: key, sizeBytes: ACTION_KEY_SIZE };
  };

  const ac: RemoteActionCache = {
    async get(key, signal) {
      const request = { instanceName: spec.instance, actionDigest: actionDigest(key), inlineStdout: true, digestFunction: (await ctx.limits(signal)).digestFunction };
      let wire;
      try {
        wire = await client.unary('GetActionResult', request, signal);
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw grpcStoreError(name, e);
      }
      const result = fromReapiActionResult(wire);
      if (!result || result.stdoutRaw.length > 0 || !wire.stdoutDigest || wire.stdoutDigest.sizeBytes === 0) return result;
      // The server moved stdout (reprise's entry) to the CAS instead of inlining it.
      const stdout = fromWireDigest(wire.stdoutDigest);
      const data = stdout && (await cas.get(stdout, signal));
      if (!stdout || !data || digestBytes(opts.algorithm, data).hash !== stdout.hash) return undefined;
      return { ...result, stdoutRaw: data };
    },

    async put(key, result, signal) {
      const request = { instanceName: spec.instance, actionDigest: actionDigest(key), actionResult: toReapiActionResult(result), digestFunction: (await ctx.limits(signal)).digestFunction };
      try {
        await client.unary('UpdateActionResult', request, signal);
      } catch (e) {
        throw grpcStoreError(name, e);
      }
    },
  };

  return {
    name,
    cas,
    ac,
    close() {
      closing.abort(new Error('the remote was closed'));
      client.close();
      return Promise.resolve();
    },
  };
}

/** host:port from grpc://host:port (plaintext) or grpcs://host:port (TLS); without a port, gRPC's 443. */
function grpcTarget(url: string): { target: string; tls: boolean } {
  const u = new URL(url);
  if (u.protocol !== 'grpc:' && u.protocol !== 'grpcs:') throw new ConfigError(`${url}: not a grpc:// or grpcs:// URL`);
  if ((u.pathname !== '' && u.pathname !== '/') || u.search !== '' || u.hash !== '') {
    throw new ConfigError(`${url}: a gRPC remote is host:port only (the REAPI instance name is a setting of its own)`);
  }
  return { target: u.host, tls: u.protocol === 'grpcs:' };
}

function readCaFile(name: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ConfigError(`${name}: cannot read the CA file ${path}: ${(e as Error).message}`);
  }
}

/** The configured headers, the credentials, and a RequestMetadata naming reprise. */
function callMetadata(spec: RemoteSpec): grpc.Metadata {
  const md = new grpc.Metadata();
  const set = (key: string, value: string): void => {
    try {
      md.set(key, value);
    } catch (e) {
      throw new ConfigError(`${spec.url}: header ${JSON.stringify(key)}: ${(e as Error).message}`);
    }
  };
  for (const [key, value] of Object.entries(spec.headers)) set(key.toLowerCase(), value);
  if (spec.token !== undefined) set('authorization', `Bearer ${spec.token}`);
  else if (spec.username !== undefined) set('authorization', `Basic ${Buffer.from(`${spec.username}:${spec.password ?? ''}`).toString('base64')}`);
  const requestMetadata = encodeReapiMessage('build.bazel.remote.execution.v2.RequestMetadata', {
    toolDetails: { toolName: 'reprise', toolVersion: packageVersion() },
    toolInvocationId: randomUUID(),
  });
  md.set(REQUEST_METADATA_HEADER, requestMetadata);
  return md;
}

/** The shared capabilities answer, for one caller: its own signal ends its wait. */
function withSignal<T>(shared: Promise<T>, signal: AbortSignal, name: string): Promise<T> {
  const aborted = (): StoreError => new StoreError('unavailable', `${name}: GetCapabilities aborted`);
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    shared.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new StoreError('io', String(e)));
      },
    );
  });
}
