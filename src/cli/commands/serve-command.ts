import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { resolve } from 'node:path';
import { byteSize } from '../../config/load-config.js';
import { ConfigError } from '../../config/config-error.js';
import { NO_TOKENS, parseTokenFile } from '../../reapi/serve/parse-token-file.js';
import { formatListenAddress, parseListenAddress } from '../../reapi/serve/parse-listen-address.js';
import { startServe } from '../../reapi/serve/start-serve.js';
import { findBwrap } from '../../exec/find-bwrap.js';
import { findOnPath } from '../../exec/find-on-path.js';
import { overlaySupport } from '../../reapi/serve/execute/overlay-mounts.js';
import { installPaths } from '../../runtime/install-paths.js';
import type { ExecuteOptions, ServeOptions, TlsFiles } from '../../reapi/serve/types.js';
import { formatBytes } from '../format-bytes.js';

export interface ServeArgs {
  listen?: string;
  http?: string;
  dir: string;
  maxSize: string;
  tokenFile?: string;
  tlsCert?: string;
  tlsKey?: string;
  /** The Execution service. */
  execute?: boolean;
  /** Actions at once (default: the number of cores). */
  jobs?: number;
  maxQueue?: number;
  /** Seconds, for actions without a timeout. */
  execTimeout?: number;
}

/**
 * `reprise serve --listen HOST:PORT --dir DIR [--http HOST:PORT] [--execute] ...`: the team cache
 * server, REAPI v2 gRPC and the bazel-remote HTTP layout over one store (and with --execute the
 * REAPI Execution service, actions run in bubblewrap), in the foreground until
 * SIGTERM or SIGINT (then requests in flight finish and pending recency updates are written).
 */
export async function serveCommand(a: ServeArgs): Promise<number> {
  const options = serveOptions(a);
  const server = await startServe(options).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL') throw new ConfigError(`cannot listen: ${e.message}`);
    if (e.code?.startsWith('ERR_OSSL') || /PEM|certificate|private key/i.test(e.message)) throw new ConfigError(`--tls-cert/--tls-key: ${e.message}`);
    throw e;
  });
  const tls = options.tls ? 's' : '';
  const where = [
    server.grpc ? `grpc${tls}://${formatListenAddress(server.grpc)}` : undefined,
    server.http ? `http${tls}://${formatListenAddress(server.http)}` : undefined,
  ].filter((x) => x !== undefined);
  const limit = options.maxBytes === 0 ? 'no size limit' : `limit ${formatBytes(options.maxBytes)}`;
  const auth = options.tokens.size === 0 ? 'no tokens: anyone may read and write' : `${options.tokens.size} tokens`;
  const exec = options.execute ? `, executing ${options.execute.jobs} actions at once (queue ${options.execute.maxQueue})` : '';
  process.stdout.write(`reprise serve: listening on ${where.join(' ')} (store ${options.dir}, ${limit}, ${auth}${exec})\n`);
  const signal = await new Promise<NodeJS.Signals>((done) => {
    process.once('SIGTERM', () => done('SIGTERM'));
    process.once('SIGINT', () => done('SIGINT'));
  });
  process.stdout.write(`reprise serve: ${signal}, stopping\n`);
  await server.close();
  process.stdout.write('reprise serve: stopped\n');
  return 0;
}

function serveOptions(a: ServeArgs): ServeOptions {
  if (a.listen === undefined && a.http === undefined) throw new ConfigError('reprise serve: give --listen HOST:PORT (gRPC), --http HOST:PORT, or both');
  if ((a.tlsCert === undefined) !== (a.tlsKey === undefined)) throw new ConfigError('reprise serve: --tls-cert and --tls-key go together');
  const dir = resolve(a.dir);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new ConfigError(`--dir ${a.dir}: ${(e as Error).message}`);
  }
  const tls: TlsFiles | undefined = a.tlsCert !== undefined && a.tlsKey !== undefined
    ? { cert: readOption('--tls-cert', a.tlsCert), key: readOption('--tls-key', a.tlsKey) }
    : undefined;
  return {
    ...(a.listen === undefined ? {} : { grpc: parseListenAddress('--listen', a.listen) }),
    ...(a.http === undefined ? {} : { http: parseListenAddress('--http', a.http) }),
    dir,
    maxBytes: byteSize('--max-size', a.maxSize, 0),
    tokens: a.tokenFile === undefined ? NO_TOKENS : parseTokenFile(readOption('--token-file', a.tokenFile).toString('utf8'), a.tokenFile),
    ...(tls ? { tls } : {}),
    ...(a.execute ? { execute: executeOptions(a) } : {}),
    log: (line) => process.stderr.write(`${new Date().toISOString()} reprise serve: ${line}\n`),
  };
}

function executeOptions(a: ServeArgs): ExecuteOptions {
  if (a.listen === undefined) throw new ConfigError('reprise serve --execute: the Execution service is gRPC, give --listen HOST:PORT');
  const count = (option: string, v: number | undefined, dflt: number): number => {
    if (v === undefined) return dflt;
    if (!Number.isInteger(v) || v < 1) throw new ConfigError(`reprise serve ${option}: a whole number of at least 1, not ${v}`);
    return v;
  };
  const bwrap = findBwrap();
  try {
    execFileSync(bwrap, ['--unshare-all', '--ro-bind', '/', '/', '--', '/bin/true'], { stdio: 'ignore', timeout: 10_000 });
  } catch (e) {
    throw new ConfigError(`reprise serve --execute runs actions in bubblewrap, and ${bwrap} cannot (apt-get install bubblewrap; user namespaces enabled?): ${(e as Error).message}`);
  }
  return {
    jobs: count('--jobs', a.jobs, availableParallelism()),
    maxQueue: count('--max-queue', a.maxQueue, 1000),
    defaultTimeoutMs: count('--exec-timeout', a.execTimeout, 600) * 1000,
    bwrap,
    worker: hostname(),
    ...(existsSync(installPaths.lookupTrace) ? { lookupTracer: installPaths.lookupTrace } : {}),
    ...(existsSync(installPaths.spawner) ? { spawner: installPaths.spawner } : {}),
    ...overlays(bwrap),
  };
}

/** `unshare` when actions can add files to this machine's system directories (overlay-mounts.ts); else a note on stderr, and such actions are refused. */
function overlays(bwrap: string): { unshare?: string } {
  const probed = overlaySupport(bwrap, findOnPath('unshare', process.env.PATH));
  if ('unshare' in probed) return { unshare: probed.unshare };
  process.stderr.write(`reprise serve: an input root at / cannot add files to this machine's system directories (overlayfs in a user namespace): ${probed.why}\n`);
  return {};
}

function readOption(option: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ConfigError(`${option} ${path}: ${(e as Error).message}`);
  }
}
