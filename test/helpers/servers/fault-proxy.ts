// An HTTP proxy in front of a real server that injects the faults a remote cache can show:
// delays, error statuses, an empty 200 body and a truncated body. Test-only: the faults are
// what matter, the server behind it is real.
import { createServer, request, type Server } from 'node:http';
import { freePort } from './free-port.js';

export type Fault =
  | { kind: 'none' }
  | { kind: 'delay'; ms: number }
  | { kind: 'status'; status: number }
  /** GETs answer 200 with no body. */
  | { kind: 'empty' }
  /** GETs announce the full length and close after half the bytes. */
  | { kind: 'truncate' };

export interface FaultProxy {
  url: string;
  fault: Fault;
  /** Requests seen, by method. */
  seen: Record<string, number>;
  stop(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const to = new URL(target);
  const port = await freePort();
  const proxy: FaultProxy = { url: `http://127.0.0.1:${port}${to.pathname}`, fault: { kind: 'none' }, seen: {}, stop: () => Promise.resolve() };
  const server: Server = createServer((req, res) => {
    proxy.seen[req.method ?? '?'] = (proxy.seen[req.method ?? '?'] ?? 0) + 1;
    const f = proxy.fault;
    if (f.kind === 'status') {
      req.resume();
      res.writeHead(f.status, { 'content-length': '0' }).end();
      return;
    }
    const forward = (): void => {
      const up = request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers }, (ur) => {
        const chunks: Buffer[] = [];
        ur.on('data', (c: Buffer) => chunks.push(c));
        ur.on('end', () => {
          const body = Buffer.concat(chunks);
          if (req.method === 'GET' && ur.statusCode === 200 && f.kind === 'empty') return void res.writeHead(200, { 'content-length': '0' }).end();
          if (req.method === 'GET' && ur.statusCode === 200 && f.kind === 'truncate' && body.length > 1) {
            res.writeHead(200, { 'content-length': String(body.length) });
            res.write(body.subarray(0, body.length >> 1));
            setTimeout(() => res.destroy(), 10);
            return;
          }
          res.writeHead(ur.statusCode ?? 502, ur.headers).end(body);
        });
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    };
    if (f.kind === 'delay') setTimeout(forward, f.ms);
    else forward();
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  proxy.stop = () => new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });
  return proxy;
}
