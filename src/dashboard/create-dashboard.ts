import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, relative } from 'node:path';
import type { CallFeed } from '../calls/create-call-feed.js';
import type { Logger } from '../daemon/logger.js';
import { installPaths } from '../runtime/install-paths.js';
import type { StatsSnapshot } from '../stats/types.js';
import { formatWhy } from '../why/format-why.js';
import type { WhyReport } from '../why/types.js';
import { renderMarkdown } from './render-markdown.js';
import { sampleLanguages } from './sample-languages.js';
import type { DashboardDaemon, DashboardHello, DashboardSample, DashboardTick, DashboardWhy } from './types.js';

export interface DashboardDeps {
  /** The counters as `reprise stats --json` replies (the shims' logs taken first). */
  stats(): StatsSnapshot;
  daemon(): DashboardDaemon;
  calls: CallFeed;
  /** The `reprise why` report of an output file (canonical path), its queued records written first. */
  why(output: string): Promise<WhyReport>;
  log: Logger;
}

export interface Dashboard {
  /** Starts the server on the first call; the page's URL, token included. */
  url(): Promise<string>;
  close(): void;
}

/** Ten minutes of one-second samples. */
const HISTORY = 600;
const TICK_MS = 1000;
const LATEST_MISSES = 10;

const require = createRequire(import.meta.url);
const uplotDir = dirname(require.resolve('uplot'));
const assetsDir = join(installPaths.root, 'src', 'dashboard', 'assets');

/** The files the page loads: all from the package itself, so it works offline. */
const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: join(assetsDir, 'dashboard.html'), type: 'text/html; charset=utf-8' },
  '/dashboard.js': { file: join(assetsDir, 'dashboard.js'), type: 'text/javascript; charset=utf-8' },
  '/dashboard.css': { file: join(assetsDir, 'dashboard.css'), type: 'text/css; charset=utf-8' },
  '/uplot.js': { file: join(uplotDir, 'uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  '/uplot.css': { file: join(uplotDir, 'uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

/**
 * The daemon's dashboard (README "Dashboard"): an HTTP server on 127.0.0.1 only, at a port
 * the kernel picks, that answers nothing without the token it was started with (every
 * request carries it: `?t=`). The Host header must name the loopback address, so a web page
 * cannot reach it through a rebound DNS name. It costs the daemon one sample a second, and
 * only once someone asked for it.
 */
export function createDashboard(deps: DashboardDeps): Dashboard {
  const token = randomBytes(24).toString('base64url');
  const history: DashboardSample[] = [];
  const clients = new Set<ServerResponse>();
  let started: Promise<string> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let port = 0;

  const server = createServer((req, res) => {
    void serve(req, res).catch((e: Error) => {
      deps.log.warn(`dashboard: ${req.url ?? ''}: ${e.message}`);
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.end();
    });
  });

  function allowed(req: IncomingMessage, url: URL): boolean {
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return false;
    const given = Buffer.from(url.searchParams.get('t') ?? '');
    const want = Buffer.from(token);
    return given.length === want.length && timingSafeEqual(given, want);
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // A browser asks for its icon after any page, the refusal included: no content, no data, no token needed.
    if (req.method === 'GET' && url.pathname === '/favicon.ico') return send(res, 204, 'text/plain; charset=utf-8', '');
    if (req.method !== 'GET' || !allowed(req, url)) return send(res, 403, 'text/plain; charset=utf-8', 'forbidden: this page needs the URL `reprise dashboard --url` prints\n');
    const asset = ASSETS[url.pathname];
    if (url.pathname === '/') return send(res, 200, asset!.type, (await readFile(asset!.file, 'utf8')).replaceAll('__TOKEN__', token));
    if (asset) return send(res, 200, asset.type, await readFile(asset.file));
    if (url.pathname === '/events') return openStream(res);
    if (url.pathname === '/why') return sendWhy(res, url.searchParams.get('output') ?? '', url.searchParams.get('cwd') ?? '');
    if (url.pathname === '/docs/stats') {
      const md = await readFile(join(installPaths.root, 'docs', 'stats.md'), 'utf8');
      return send(res, 200, 'text/html; charset=utf-8', renderMarkdown(md, 'reprise: docs/stats.md', `/dashboard.css?t=${token}`));
    }
    send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  }

  async function sendWhy(res: ServerResponse, output: string, cwd: string): Promise<void> {
    if (!output.startsWith('/')) return send(res, 400, 'text/plain; charset=utf-8', 'output must be an absolute path\n');
    const report = await deps.why(output);
    const show = (p: string): string => {
      const rel = cwd.startsWith('/') ? relative(cwd, p) : '';
      return rel !== '' && !rel.startsWith('..') ? rel : p;
    };
    const body: DashboardWhy = { report, text: formatWhy(report, show) };
    send(res, 200, 'application/json', JSON.stringify(body));
  }

  function openStream(res: ServerResponse): void {
    res.writeHead(200, { ...HEADERS, 'content-type': 'text/event-stream', connection: 'keep-alive' });
    const hello: DashboardHello = { history };
    res.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify(hello)}\n\n`);
    res.write(tickEvent(tick()));
    clients.add(res);
    res.on('close', () => clients.delete(res));
  }

  function tick(): DashboardTick {
    const stats = deps.stats();
    const sample = sampleLanguages(stats, Date.now());
    return { sample, stats, daemon: deps.daemon(), misses: deps.calls.latest(LATEST_MISSES, (e) => e.outcome === 'miss' || e.outcome === 'uncacheable') };
  }

  const tickEvent = (t: DashboardTick): string => `event: tick\ndata: ${JSON.stringify(t)}\n\n`;

  function everySecond(): void {
    const t = tick();
    history.push(t.sample);
    if (history.length > HISTORY) history.shift();
    if (clients.size === 0) return;
    const event = tickEvent(t);
    for (const c of clients) c.write(event);
  }

  return {
    url() {
      started ??= new Promise<string>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
          server.off('error', reject);
          server.on('error', (e) => deps.log.warn(`dashboard: ${e.message}`));
          port = (server.address() as AddressInfo).port;
          history.push(sampleLanguages(deps.stats(), Date.now()));
          timer = setInterval(everySecond, TICK_MS);
          timer.unref();
          server.unref(); // an open page does not keep a stopping daemon alive
          deps.log.info(`dashboard on http://127.0.0.1:${port}/`);
          resolve(`http://127.0.0.1:${port}/?t=${token}`);
        });
      });
      return started;
    },
    close() {
      if (timer) clearInterval(timer);
      for (const c of clients) c.end();
      server.close();
      server.closeAllConnections();
    },
  };
}

/** No caching, no referrer (the token is in the URL), nothing loaded from elsewhere, no framing. */
const HEADERS = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { ...HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
