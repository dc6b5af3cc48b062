import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StreamedWrite } from '../../store/local/streamed-write.js';
import { StoreError } from '../../store/types.js';
import { checkAccess } from './check-access.js';
import type { ServeStore, TokenTable } from './types.js';

/** `…/ac/<key>` or `…/cas/<hash>`, under any prefix (`/cache/cas/…` as ccache's URL path puts it). */
const ENTRY_PATH = /^(?:\/.*)?\/(ac|cas)\/([^/]*)$/;

export interface HttpHandlerOptions {
  store: ServeStore;
  tokens: TokenTable;
  log?: (line: string) => void;
}

/**
 * The bazel-remote HTTP layout over the server's store: `GET`, `HEAD` and `PUT` of `/ac/<key>`
 * and `/cas/<hash>` (lowercase SHA-256 hex), 404 when absent. A blob is stored only when its
 * bytes hash to the name it was PUT under (400 otherwise); action-cache entries are opaque.
 * With tokens: 401 without a known one, 403 for a read token's PUT.
 */
export function createHttpHandler(o: HttpHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(o, req, res).catch((e: unknown) => {
      o.log?.(`http ${req.method ?? '?'} ${req.url ?? '?'}: ${(e as Error).message}`);
      if (!res.headersSent) reply(req, res, 500, 'internal error');
      else res.destroy();
    });
  };
}

async function handle(o: HttpHandlerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? '';
  const auth = checkAccess(o.tokens, req.headers.authorization);
  if (!auth.ok) {
    res.setHeader('www-authenticate', 'Bearer realm="reprise"');
    return reply(req, res, 401, auth.reason === 'missing' ? 'a token is required (Authorization: Bearer TOKEN)' : 'unknown token');
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://host').pathname);
  } catch {
    return reply(req, res, 400, 'malformed path');
  }
  const m = ENTRY_PATH.exec(pathname);
  if (!m) return reply(req, res, 404, 'not found');
  const area = m[1] as 'ac' | 'cas';
  const key = m[2]!;
  if (!/^[0-9a-f]{64}$/.test(key)) return reply(req, res, 400, `${area}/${key}: expected 64 lowercase hex digits (SHA-256)`);

  if (method === 'GET') {
    const data = area === 'cas' ? await o.store.readBlob(key) : await o.store.getAction(key);
    if (!data) return reply(req, res, 404, 'not found');
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': data.length });
    res.end(data);
    return;
  }
  if (method === 'HEAD') {
    const size = area === 'cas' ? await o.store.blobSize(key) : await o.store.actionSize(key);
    res.writeHead(size === undefined ? 404 : 200, { 'content-type': 'application/octet-stream', 'content-length': size ?? 0 });
    res.end();
    return;
  }
  if (method !== 'PUT') {
    res.setHeader('allow', 'GET, HEAD, PUT');
    return reply(req, res, 405, `${method} is not supported`);
  }
  if (auth.access !== 'read-write') return reply(req, res, 403, 'this token may only read');
  const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
  let w: StreamedWrite;
  try {
    w = area === 'cas' ? o.store.startBlobPut({ hash: key, ...(declared === undefined ? {} : { size: declared }) }) : o.store.startActionPut(key);
  } catch (e) {
    return replyStoreError(req, res, e);
  }
  try {
    for await (const chunk of req) await w.write(chunk as Buffer);
    await w.commit();
  } catch (e) {
    await w.abort();
    if (req.destroyed && !req.complete) return void res.destroy(); // the client went away mid-upload
    return replyStoreError(req, res, e);
  }
  reply(req, res, 200, '');
}

function replyStoreError(req: IncomingMessage, res: ServerResponse, e: unknown): void {
  if (!(e instanceof StoreError)) throw e;
  if (e.code === 'corrupt') return reply(req, res, 400, e.message);
  if (e.code === 'too-large') return reply(req, res, 413, e.message);
  if (e.code === 'no-space') return reply(req, res, 507, e.message);
  throw e;
}

function reply(req: IncomingMessage, res: ServerResponse, status: number, message: string): void {
  const body = message === '' ? '' : `${message}\n`;
  // A refused upload's body is not read: close the connection rather than read it to keep it.
  const close = req.method === 'PUT' && !req.complete;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), ...(close ? { connection: 'close' } : {}) });
  res.end(req.method === 'HEAD' ? undefined : body);
}
