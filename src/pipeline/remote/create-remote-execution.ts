import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import type { Config } from '../../config/load-config.js';
import { ConfigError } from '../../config/config-error.js';
import type { ExecutorSpec } from '../../config/executor-spec.js';
import { createRemoteExecutionClient } from '../../exec/remote/create-remote-execution-client.js';
import type { Executor } from '../../exec/remote/types.js';
import type { Logger } from '../../daemon/logger.js';
import type { StatsStore } from '../../stats/stats-store.js';
import type { RemoteExecution, RemoteTarget } from './types.js';
import { createInputGuesses } from './input-guesses.js';
import { remoteExecutionWanted } from './remote-execution-wanted.js';
import { preloadReapiProtos } from '../../reapi/load-reapi-protos.js';

/** The configured executors, or undefined when there are none or the policy is `local`. Clients connect on first use. */
export function createRemoteExecution(config: Config, stats: StatsStore, log: Logger): RemoteExecution | undefined {
  if (!remoteExecutionWanted(config)) return undefined;
  const targets = config.executors.map((spec, i) => createTarget(spec, `executor[${i + 1}]`, stats));
  let turn = 0;
  const about = (t: RemoteTarget): string => [t.spec.trusted ? 'trusted' : '', t.spec.toolchain === 'image' ? 'toolchain in its image: results kept here' : ''].filter((x) => x !== '').join(', ');
  log.info(`remote execution (${config.execute}) on ${targets.map((t) => `${t.name}${about(t) ? ` (${about(t)})` : ''}`).join(', ')}`);
  // In a build's first misses the ~0.15 s of loading delayed the first actions while the executors idled.
  preloadReapiProtos();
  return {
    policy: config.execute,
    targets,
    headed: 0,
    digests: new Map(),
    guesses: createInputGuesses(),
    queued: new Set(),
    order() {
      const start = turn++ % targets.length;
      return [...targets.slice(start), ...targets.slice(0, start)];
    },
    knows: (executor) => targets.some((t) => t.name === executor),
    async close() {
      await Promise.all(targets.map((t) => t.close()));
    },
  };
}

function createTarget(spec: ExecutorSpec, where: string, stats: StatsStore): RemoteTarget & { close(): Promise<void> } {
  const tls = spec.url.startsWith('grpcs:');
  const headers: Record<string, string> = {};
  if (spec.tokenFile !== undefined) headers.authorization = `Bearer ${readSecret(where, spec.tokenFile)}`;
  const client = createRemoteExecutionClient({
    target: spec.url.replace(/^grpcs?:\/\//, ''),
    credentials: tls ? grpc.credentials.createSsl(spec.caFile !== undefined ? readFile(where, 'ca', spec.caFile) : null) : grpc.credentials.createInsecure(),
    instance: spec.instance,
    headers,
    maxInFlight: spec.maxInFlight,
    timeoutMs: spec.timeoutMs,
  });
  const made = new Map<string, Executor<unknown>>();
  // fallen-back is counted by the pipeline, with its reason (offer-remote.ts).
  const observer = { count: (counter: Parameters<StatsStore['bumpExecutor']>[1], n: number) => void (counter !== 'fallen-back' && stats.bumpExecutor(spec.url, counter, n)) };
  return {
    name: spec.url,
    spec,
    inFlight: 0,
    downUntil: 0,
    probing: false,
    probe: (timeoutMs) => client.probe(AbortSignal.timeout(timeoutMs)),
    executor<A>(kind: string, make: (name: string, c: typeof client, o: typeof observer) => Executor<A>): Executor<A> {
      let e = made.get(kind) as Executor<A> | undefined;
      if (!e) made.set(kind, (e = make(spec.url, client, observer)) as Executor<unknown>);
      return e;
    },
    async close() {
      await Promise.all([...made.values()].map((e) => e.close()));
      client.close();
    },
  };
}

function readFile(where: string, key: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ConfigError(`${where}.${key} ${path}: cannot read it: ${(e as Error).message}`);
  }
}

/** A token file's first line (the token itself never appears in a message). */
function readSecret(where: string, path: string): string {
  const token = readFile(where, 'token_file', path).toString('utf8').split('\n')[0]!.trim();
  if (token === '') throw new ConfigError(`${where}.token_file ${path}: the file is empty`);
  return token;
}
