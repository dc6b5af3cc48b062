import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LRUCache } from 'lru-cache';
import type { Config } from '../config/load-config.js';
import type { Logger } from '../daemon/logger.js';
import type { LocalExecutor } from '../exec/types.js';
import type { Sandbox } from '../exec/create-sandbox.js';
import { shebang, toolchainFiles } from '../exec/toolchain-files.js';
import { driverRunsInside } from '../exec/driver-runs-inside.js';
import { createFileDigestCache } from '../hashing/file-digest-cache.js';
import { identifyGcc, type ToolIdentity } from '../adapters/gcc/identify-gcc.js';
import { scanContent } from '../adapters/gcc/scan-content.js';
import { systemIncludeDirs } from '../adapters/gcc/system-include-dirs.js';
import type { StatsStore } from '../stats/stats-store.js';
import { createLocalActionCache } from '../store/local/create-local-action-cache.js';
import { createLocalCas } from '../store/local/create-local-cas.js';
import { createLocalJsonStore } from '../store/local/create-local-json-store.js';
import { createStoreUsage } from '../store/local/create-store-usage.js';
import { makeFanOut } from '../store/local/make-fan-out.js';
import type { CacheContext } from './cache-context.js';
import { parseManifest } from './manifest.js';
import { createSingleFlight } from './single-flight.js';
import { createDirListings } from './dir-listings.js';
import { createCompileRecorder } from '../why/create-compile-recorder.js';
import { createWhyStore } from '../why/create-why-store.js';
import { mismatchLogPath } from '../verify/mismatch-log.js';
import { createGhcContext } from './ghc/create-ghc-context.js';
import { createRustContext } from './rust/create-rust-context.js';
import { createTicketDesk } from '../tickets/create-ticket-desk.js';
import { runtimePaths } from '../runtime/runtime-paths.js';
import { createGoIndex } from './go/create-go-index.js';
import { shareStores } from './share-stores.js';
import type { RemoteParts } from './remote/load-remote-parts.js';

/** Builds the local cache under REPRISE_CACHE_DIR/<digest function> (one function per directory). */
export function createCacheContext(config: Config, log: Logger, stats: StatsStore, executor: LocalExecutor, sandbox: Sandbox | undefined, parts: RemoteParts): CacheContext {
  const dir = join(config.cacheDir, config.digest);
  const scratchDir = join(dir, 'tmp');
  mkdirSync(scratchDir, { recursive: true, mode: 0o700 });
  // A new store's fan-out directories now, as the daemon starts, rather than one by one during its first build.
  for (const area of ['ac', 'cas']) makeFanOut(dir, area);
  const corrupt = (what: string) => (key: string): void => {
    stats.bumpCache('corrupt-entry');
    log.warn(`corrupt ${what} ${key} deleted`);
  };
  const usage = createStoreUsage({
    dir,
    maxBytes: config.maxSizeBytes,
    onEvicted(removed, bytesLeft) {
      stats.bumpCache('evicted', removed.entries);
      stats.bumpCache('bytes-evicted', removed.bytes);
      goIndex?.reset('lost'); // its lines may name what is gone
      log.info(`evicted ${removed.entries} least recently used entries (${removed.bytes} bytes); the store holds ${bytesLeft} bytes`);
    },
    onError: (e) => log.warn(`store upkeep failed: ${e.message}`),
  });
  const goIndex = config.tickets ? createGoIndex(runtimePaths(config.runtimeDir).goIndex, log, { marker: join(dir, 'ac', 'go-entries'), saved: join(dir, 'ac', 'go-index.saved'), localOnly: config.remotes.length === 0 }) : undefined;
  const files = createFileDigestCache({ algorithm: config.digest, scan: scanContent });
  const toolFiles = createFileDigestCache({ algorithm: config.digest, maxEntries: 1024 });

  // Tool identities, revalidated by the stamps of every part on each use.
  // The called path's own stamp is checked too: a symlink retargeted (gcc-12 → gcc-13) leaves the old parts' stamps as they were.
  const identities = new LRUCache<string, { called: string; stamps: string[]; identity: ToolIdentity }>({ max: 256 });
  // Each identity's files with the stamps its memo entry holds: every use revalidates exactly these (a hit ticket checks them again).
  const checkedUnder = new WeakMap<ToolIdentity, Array<{ path: string; stamp: string }>>();
  // A call that finds its tool being identified (a fresh daemon's first two calls, under make -j) waits for that and uses its memo.
  const identifying = new Map<string, Promise<unknown>>();
  const identify = async (toolPath: string, env: NodeJS.ProcessEnv): Promise<ToolIdentity> => {
    const memoKey = [toolPath, env.GCC_EXEC_PREFIX ?? '', env.COMPILER_PATH ?? '', env.PATH ?? ''].join('\0');
    for (let busy = identifying.get(memoKey); busy; busy = identifying.get(memoKey)) await busy.catch(() => undefined);
    const known = identities.get(memoKey);
    const called = toolFiles.stamp(toolPath) ?? '';
    if (known && known.called === called && known.identity.parts.every((p, i) => toolFiles.stamp(p.path) === known.stamps[i])) return known.identity;
    const running = identifyGcc(toolPath, env, toolFiles);
    identifying.set(memoKey, running);
    let identity: ToolIdentity;
    try {
      identity = await running;
    } finally {
      if (identifying.get(memoKey) === running) identifying.delete(memoKey);
    }
    const stamps = identity.parts.map((p) => toolFiles.stamp(p.path) ?? '');
    identities.set(memoKey, { called, identity, stamps });
    if (called !== '' && stamps.every((s) => s !== '')) {
      checkedUnder.set(identity, [{ path: toolPath, stamp: called }, ...identity.parts.map((p, i) => ({ path: p.path, stamp: stamps[i]! }))]);
    }
    return identity;
  };
  const sysDirs = new LRUCache<string, string[]>({ max: 256 });
  const includeDirs = async (toolPath: string, language: string, args: string[], env: NodeJS.ProcessEnv): Promise<string[]> => {
    const id = await identify(toolPath, env);
    const memoKey = [...id.parts.map((p) => p.digest), language, ...args].join('\0');
    const known = sysDirs.get(memoKey);
    if (known) return known;
    const found = await systemIncludeDirs(toolPath, language, args, env);
    sysDirs.set(memoKey, found);
    return found;
  };

  // A toolchain, and whether its driver runs in the sandbox, hold for one driver path, PATH and identity.
  const toolchainKey = (toolPath: string, env: NodeJS.ProcessEnv, id: ToolIdentity): string => [toolPath, env.PATH ?? '', ...id.parts.map((p) => p.digest)].join('\0');
  const toolchains = new LRUCache<string, Promise<string[]>>({ max: 64 });
  const toolchain = async (toolPath: string, env: NodeJS.ProcessEnv): Promise<string[]> => {
    const id = await identify(toolPath, env);
    const memoKey = toolchainKey(toolPath, env, id);
    let files = toolchains.get(memoKey);
    if (!files) toolchains.set(memoKey, (files = toolchainFiles({ toolPath, programs: id.parts, env })));
    return files;
  };
  // Scripts only, once per script, PATH and identity: the probe costs a compile.
  const insideChecks = new LRUCache<string, Promise<boolean>>({ max: 64 });
  const runsInside = async (toolPath: string, env: Map<string, string>): Promise<boolean> => {
    if (!sandbox || !shebang(toolPath)) return true;
    const envObject = Object.fromEntries(env);
    const memoKey = toolchainKey(toolPath, envObject, await identify(toolPath, envObject));
    let ok = insideChecks.get(memoKey);
    if (!ok) {
      insideChecks.set(memoKey, (ok = toolchain(toolPath, envObject).then((files) => driverRunsInside(sandbox, toolPath, files, env))));
      void ok.then((yes) => yes || log.warn(`${toolPath} (a script) does not run in the sandbox: its compiles run outside it, uncached (driver-fails-in-sandbox)`));
    }
    return ok;
  };

  const cas = createLocalCas({ dir, algorithm: config.digest, onCorrupt: corrupt('blob'), usage });
  const shared = shareStores(config, log, stats, parts, {
    cas,
    actions: createLocalActionCache({ dir, onCorrupt: corrupt('action result'), usage }),
    manifests: createLocalJsonStore(dir, 'manifests', { parse: parseManifest, onCorrupt: corrupt('manifest'), memo: true, usage }),
  });
  return {
    algorithm: config.digest,
    baseDir: config.baseDir,
    files,
    cas: shared.cas,
    actions: shared.actions,
    manifests: shared.manifests,
    remotes: shared.remotes,
    usage,
    executor,
    stats,
    log,
    flight: createSingleFlight(),
    identify,
    toolStamps: (identity) => checkedUnder.get(identity),
    systemIncludeDirs: includeDirs,
    listings: createDirListings(),
    scratchDir,
    sandbox,
    toolchain,
    driverRunsInside: runsInside,
    why: createCompileRecorder(createWhyStore(dir, config.digest, corrupt('why record'), usage), log),
    verify: { rate: config.verifyRate, log: mismatchLogPath(config.cacheDir, config.digest) },
    rust: createRustContext(config.digest),
    ghc: createGhcContext(config.digest),
    remote: parts.createRemoteExecution?.(config, stats, log),
    tickets: config.tickets ? createTicketDesk({ runtimeDir: config.runtimeDir, log }) : undefined,
    goIndex,
  };
}
