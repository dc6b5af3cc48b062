import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { byteSize } from '../../config/load-config.js';
import { ConfigError } from '../../config/config-error.js';
import { NO_TOKENS, parseTokenFile } from '../../reapi/serve/parse-token-file.js';
import { formatListenAddress, parseListenAddress } from '../../reapi/serve/parse-listen-address.js';
import { startServe } from '../../reapi/serve/start-serve.js';
import type { ServeOptions, TlsFiles } from '../../reapi/serve/types.js';
import { formatBytes } from '../format-bytes.js';

export interface ServeArgs {
  listen?: string;
  http?: string;
  dir: string;
  maxSize: string;
  tokenFile?: string;
  tlsCert?: string;
  tlsKey?: string;
}

/**
 * `reprise serve --listen HOST:PORT --dir DIR [--http HOST:PORT] ...`: the team cache server,
 * REAPI v2 gRPC and the bazel-remote HTTP layout over one store, in the foreground until
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
  process.stdout.write(`reprise serve: listening on ${where.join(' ')} (store ${options.dir}, ${limit}, ${auth})\n`);
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
    log: (line) => process.stderr.write(`${new Date().toISOString()} reprise serve: ${line}\n`),
  };
}

function readOption(option: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ConfigError(`${option} ${path}: ${(e as Error).message}`);
  }
}
