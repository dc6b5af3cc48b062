// The daemon's entry point, started by the shim's launcher (docs/protocol.md, "Starting the daemon").
import './v8-tuning.js';
import { existsSync, fstatSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { resolveConfig } from '../config/resolve-config.js';
import { ensureRuntimeDir } from '../runtime/ensure-runtime-dir.js';
import { resolveRuntimeDir } from '../runtime/resolve-runtime-dir.js';
import { runtimePaths } from '../runtime/runtime-paths.js';
import { installPaths } from '../runtime/install-paths.js';
import { createDaemon } from './create-daemon.js';
import { loadRemoteParts } from '../pipeline/remote/load-remote-parts.js';
import { createFileLogger } from './logger.js';

function parseLockFd(argv: string[]): number | undefined {
  const arg = argv.find((a) => a.startsWith('--lock-fd='));
  if (!arg) return undefined;
  const fd = Number(arg.slice('--lock-fd='.length));
  if (!Number.isInteger(fd) || fd < 0) throw new Error(`bad ${arg}`);
  fstatSync(fd); // fails loudly if the starter did not pass it
  return fd;
}

async function main(): Promise<void> {
  const loaded = resolveConfig(process.env); // a bad value is fatal here, and only here (an edited file is checked by config-watch.ts)
  const config = loaded.config;
  const dir = ensureRuntimeDir(config.runtimeDir);
  if (!dir.ok) throw new Error(dir.problem);
  const log = createFileLogger(runtimePaths(config.runtimeDir).log, config.logLevel);
  const version = (JSON.parse(readFileSync(installPaths.packageJson, 'utf8')) as { version: string }).version;
  const daemon = createDaemon(loaded, log, version, parseLockFd(process.argv.slice(2)), await loadRemoteParts(config));

  // A request never takes the daemon down: log what escaped and keep serving.
  process.on('uncaughtException', (e) => log.error(`uncaught: ${e.stack ?? e.message}`));
  process.on('unhandledRejection', (e) => log.error(`unhandled rejection: ${String(e)}`));
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => daemon.stop(sig));
  process.on('SIGPIPE', () => undefined);

  await daemon.listen();
  await daemon.closed;
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`reprise daemon: ${(e as Error).message}\n`);
  // A daemon started by a shim has no stderr: its log is where a bad config file is told.
  const log = runtimePaths(resolveRuntimeDir(process.env)).log;
  if (existsSync(dirname(log))) createFileLogger(log, 'error').error(`cannot start: ${(e as Error).message}`);
  process.exit(1);
});
