import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import type { RemoteSpec } from '../../config/remote-spec.js';
import type { Digest } from '../../hashing/types.js';
import { StoreError } from '../types.js';
import { decodeStoredActionResult, encodeActionResult } from './action-result-codec.js';
import type { RemoteBackend } from './types.js';

/**
 * The bazel-remote HTTP layout (`GET/PUT/HEAD <base>/ac/<key>` and `<base>/cas/<hash>`), which
 * bazel-remote, nginx WebDAV and ccache's `layout=bazel` share. Keep-alive connections, at
 * most spec.maxConnections of them; TLS with an optional custom CA; bearer or basic auth.
 */
export function createHttpBackend(spec: RemoteSpec): RemoteBackend {
  const url = new URL(spec.url);
  const base = url.pathname.replace(/\/+$/, '');
  const pool = new Pool(url.origin, {
    connections: spec.maxConnections,
    ...(spec.caFile ? { connect: { ca: readFileSync(spec.caFile) } } : {}),
  });
  const headers: Record<string, string> = { ...spec.headers };
  if (spec.token !== undefined) headers.authorization = `Bearer ${spec.token}`;
  else if (spec.username !== undefined) headers.authorization = `Basic ${Buffer.from(`${spec.username}:${spec.password ?? ''}`).toString('base64')}`;

  const fail = (method: string, path: string, status: number): StoreError => {
    const code = (status === 401 || status === 403) && method === 'PUT' ? 'refused' : 'unavailable';
    return new StoreError(code, `${spec.url}: ${method} ${path}: HTTP ${status}`);
  };

  /** One request; a connection that fails is the remote's outage. */
  const send = (method: 'GET' | 'PUT' | 'HEAD', path: string, signal: AbortSignal, body?: Buffer) =>
    pool.request({
      path: base + path, method, signal,
      headers: body ? { ...headers, 'content-type': 'application/octet-stream' } : headers,
      ...(body ? { body } : {}),
    }).catch((e: Error) => {
      throw new StoreError('unavailable', `${spec.url}: ${method} ${path}: ${e.message}`);
    });

  const read = async (path: string, signal: AbortSignal): Promise<Buffer | undefined> => {
    const res = await send('GET', path, signal);
    if (res.statusCode === 404) {
      await res.body.dump();
      return undefined;
    }
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw fail('GET', path, res.statusCode);
    }
    try {
      return Buffer.from(await res.body.arrayBuffer());
    } catch (e) {
      throw new StoreError('unavailable', `${spec.url}: GET ${path}: ${(e as Error).message}`);
    }
  };

  const write = async (path: string, body: Buffer, signal: AbortSignal): Promise<void> => {
    const res = await send('PUT', path, signal, body);
    await res.body.dump();
    if (res.statusCode < 200 || res.statusCode >= 300) throw fail('PUT', path, res.statusCode);
  };

  const has = async (path: string, signal: AbortSignal): Promise<boolean> => {
    const res = await send('HEAD', path, signal);
    await res.body.dump();
    if (res.statusCode === 404) return false;
    if (res.statusCode === 200) return true;
    throw fail('HEAD', path, res.statusCode);
  };

  return {
    name: spec.url,
    cas: {
      async findMissing(digests, signal) {
        const present = await Promise.all(digests.map((d) => has(`/cas/${d.hash}`, signal)));
        return digests.filter((_, i) => !present[i]);
      },
      get: (d: Digest, signal) => read(`/cas/${d.hash}`, signal),
      put: (d: Digest, data, signal) => write(`/cas/${d.hash}`, data, signal),
    },
    ac: {
      async get(key, signal) {
        const bytes = await read(`/ac/${key}`, signal);
        return bytes ? decodeStoredActionResult(bytes) : undefined;
      },
      put: (key, result, signal) => write(`/ac/${key}`, encodeActionResult(result), signal),
    },
    close: () => pool.close(),
  };
}
