import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { createSandbox } from '../../exec/create-sandbox.js';
import { findBwrap } from '../../exec/find-bwrap.js';
import { overlayCannotName } from '../../exec/host-view.js';
import type { Logger } from '../../daemon/logger.js';
import { join } from 'node:path';
import { adminRequest } from '../../client/admin-request.js';
import { configFilePath } from '../../config/config-file-path.js';
import { resolveConfig } from '../../config/resolve-config.js';
import type { ResolvedConfig } from '../../config/types.js';
import type { DaemonStatus } from '../../daemon/handlers/handle-admin.js';
import { resolveRuntimeDir } from '../../runtime/resolve-runtime-dir.js';
import { configFileFindings, daemonConfigFindings } from '../config-findings.js';
import type { Finding, Level } from '../doctor-finding.js';
import { PROTOCOL_VERSION } from '../../protocol/frames.js';
import { checkRuntimeDir } from '../../runtime/ensure-runtime-dir.js';
import { installPaths } from '../../runtime/install-paths.js';
import { runtimePaths } from '../../runtime/runtime-paths.js';
import { DEFAULT_SHIM_NAMES } from '../../runtime/shim-names.js';
import { findRealTool } from '../../runtime/find-real-tool.js';
import { checkRemotes } from '../check-remotes.js';

const quietLog: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

/** `reprise doctor`: checks what reprise relies on and says what to fix. Exit 1 if anything fails. */
export async function doctorCommand(): Promise<number> {
  const findings: Finding[] = [];
  const add = (level: Level, what: string, fix?: string): void => void findings.push(fix ? { level, what, fix } : { level, what });

  let resolved: ResolvedConfig | undefined;
  try {
    resolved = resolveConfig(process.env);
  } catch (e) {
    const file = configFilePath(process.env).path;
    const inFile = (e as Error).message.startsWith(file);
    add('fail', `configuration: ${(e as Error).message}`, inFile ? `fix ${file} (reprise config show checks it)` : 'fix or unset that environment variable');
  }
  const config = resolved?.config;
  if (resolved) findings.push(...configFileFindings(resolved));

  const shim = spawnSync(installPaths.shimBinary, ['--version'], { encoding: 'utf8', argv0: 'reprise-shim' });
  if (shim.error || shim.status !== 0) add('fail', `shim binary ${installPaths.shimBinary} does not run`, 'run npm ci (it compiles shims/shim.c with cc)');
  else if (shim.stdout.trim() !== `reprise-shim ${PROTOCOL_VERSION}`) add('fail', `shim speaks "${shim.stdout.trim()}", the CLI protocol ${PROTOCOL_VERSION}`, 'rebuild: npm run build');
  else add('ok', `shim binary ${installPaths.shimBinary} (protocol ${PROTOCOL_VERSION})`);
  const missing = DEFAULT_SHIM_NAMES.filter((n) => !existsSync(join(installPaths.shimDir, n)));
  if (missing.length > 0) add('fail', `shim directory ${installPaths.shimDir} lacks ${missing.join(' ')}`, 'rebuild: npm run build');

  if (config) {
    const paths = runtimePaths(config.runtimeDir);
    if (!existsSync(config.runtimeDir)) add('ok', `runtime dir ${config.runtimeDir} will be created (0700) on first use`);
    else {
      const c = checkRuntimeDir(config.runtimeDir);
      if (c.ok) add('ok', `runtime dir ${config.runtimeDir} is private`);
      else add('fail', `runtime dir: ${c.problem}; shims will run compilers uncached`, `chmod 700 it, or set REPRISE_RUNTIME_DIR to a private directory`);
    }
    if (Buffer.byteLength(paths.socket) >= 108) add('fail', `socket path ${paths.socket} is too long for a Unix socket`, 'set REPRISE_RUNTIME_DIR to a shorter path');
    try {
      mkdirSync(config.cacheDir, { recursive: true });
      accessSync(config.cacheDir, constants.W_OK);
      add('ok', `cache dir ${config.cacheDir} is writable`);
      // A fill's overlays keep their upper directories under the cache.
      const odd = overlayCannotName(realpathSync(config.cacheDir));
      if (odd !== undefined) add('warn', `cache dir ${config.cacheDir}: its path holds "${odd}", which an overlay mount cannot name: fills bind their outputs one by one, and ghc modules (whose fills need overlays) are not cached`, 'set cache.dir (or REPRISE_CACHE_DIR) to a path without , : or \\');
    } catch (e) {
      add('fail', `cache dir ${config.cacheDir}: ${(e as Error).message}`, 'set cache.dir in the config file (or REPRISE_CACHE_DIR) to a writable directory');
    }
  }
  // The runtime dir comes from the environment alone: a daemon is asked even when the file is bad.
  const st = await adminRequest(runtimePaths(resolveRuntimeDir(process.env)).socket, 'status', {}, 2000);
  add(st.kind === 'reply' ? 'ok' : 'warn', st.kind === 'reply' ? 'daemon is running' : `daemon is not running (${st.reason})`, st.kind === 'reply' ? undefined : 'it starts on the first compiler call, or: reprise daemon start');
  if (st.kind === 'reply' && st.ok) findings.push(...daemonConfigFindings((st.value as DaemonStatus).config, resolved?.file.path));

  if (config) for (const f of await checkRemotes(config)) add(f.level, f.what, f.fix);
  if (config && !config.sandbox) {
    const from = resolved?.sources['cache.sandbox'];
    const setting = from?.kind === 'file' ? `cache.sandbox = false (${from.path})` : 'REPRISE_SANDBOX=off';
    add('warn', `${setting}: results are stored without a sandbox check, marked unsandboxed, and never shared`);
  } else if (config) {
    // The daemon's own probe: a job run in a view inside bubblewrap, as cache fills are.
    const sandbox = createSandbox({ bwrap: findBwrap(), spawner: installPaths.spawner, scratchDir: join(config.cacheDir, config.digest, 'tmp', `sandbox-doctor-${process.pid}`), log: quietLog });
    const s = await sandbox.status();
    sandbox.close();
    rmSync(join(config.cacheDir, config.digest, 'tmp', `sandbox-doctor-${process.pid}`), { recursive: true, force: true });
    if (s.ok) {
      add('ok', 'sandbox works: cache fills run in bubblewrap over the host\'s file system, read-only, their lookups traced');
      if (!existsSync(installPaths.lookupTrace)) add('fail', `the lookup tracer ${installPaths.lookupTrace} is missing: every fill's trace is incomplete, so nothing is stored`, 'npm run build (it compiles shims/lookup-trace.c with cc)');
    } else add('fail', `sandbox unavailable: ${s.why}; compiles still run, but nothing is stored`, 'apt-get install bubblewrap and allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1); or accept unchecked results with REPRISE_SANDBOX=off');
  }

  for (const name of DEFAULT_SHIM_NAMES) {
    const real = findRealTool(name);
    if (real) add('ok', `${name}: ${real}`);
  }

  for (const f of findings) {
    process.stdout.write(`${f.level.padEnd(4)}  ${f.what}\n`);
    if (f.fix && f.level !== 'ok') process.stdout.write(`      fix: ${f.fix}\n`);
  }
  return findings.some((f) => f.level === 'fail') ? 1 : 0;
}
