import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { launcherEnvHolds } from '../../adapters/rustc/launcher-env.js';
import { identifyRustc, RUSTC_IDENTITY_ENV, type RustToolIdentity } from '../../adapters/rustc/identify-rustc.js';
import { createFileDigestCache, type FileDigestCache } from '../../hashing/file-digest-cache.js';
import { identifyLinker, type LinkerIdentity } from '../../adapters/rustc/identify-linker.js';
import type { DigestAlgorithm } from '../../hashing/types.js';
import { createCrateDeps, type CrateDeps } from './crate-deps.js';

/** What the Rust pipeline keeps per daemon: the rustc toolchains it has met, and digests of the files compiles read. */
export interface RustContext {
  /** The identity of the rustc a call runs (revalidated by the stamps of every part on each use). */
  identify(toolPath: string, env: NodeJS.ProcessEnv, cwd: string, target: string | undefined): Promise<RustToolIdentity>;
  /** The files a rustc needs inside the sandbox: its binary and libraries, lib/rustlib, the loader's files and locale data. */
  toolchain(id: RustToolIdentity): string[];
  /** The linker driver of a compile that links (revalidated by stamps like the rustc identity). */
  linker(name: string, env: NodeJS.ProcessEnv): Promise<LinkerIdentity>;
  /** Sources and crates, digested without the C adapter's content scan (rlibs are megabytes). */
  files: FileDigestCache<undefined>;
  /** The crates each crate file this daemon stored or served was compiled against. */
  crateDeps: CrateDeps;
}

/** Files every dynamically linked program may read before main, and locale data. */
const HOST_FILES = ['/etc/ld.so.cache', '/etc/ld.so.preload', '/usr/lib/locale'];

const toolchainRustc = new LRUCache<string, boolean>({ max: 64 });
/** A rustc inside a toolchain (lib/rustlib beside its bin directory), not a rustup proxy: its toolchain is itself. Memoised per path and stamp. */
function isToolchainRustc(toolPath: string, stamp: string): boolean {
  const memo = `${toolPath}\0${stamp}`;
  let known = toolchainRustc.get(memo);
  if (known === undefined) {
    try {
      known = existsSync(join(dirname(realpathSync(toolPath)), '..', 'lib', 'rustlib'));
    } catch {
      known = false;
    }
    toolchainRustc.set(memo, known);
  }
  return known;
}

export function createRustContext(algorithm: DigestAlgorithm): RustContext {
  const files = createFileDigestCache({ algorithm, maxEntries: 4096 });
  const known = new LRUCache<string, { called: string; stamps: string[]; identity: RustToolIdentity }>({ max: 64 });
  // Concurrent first calls (cargo -j) share one identification.
  const pending = new Map<string, Promise<RustToolIdentity>>();
  const linkers = new LRUCache<string, { stamps: string[]; identity: Promise<LinkerIdentity> }>({ max: 16 });
  return {
    files: createFileDigestCache({ algorithm }),
    crateDeps: createCrateDeps(),
    async identify(toolPath, env, cwd, target) {
      // A rustup proxy resolves its toolchain from RUSTUP_TOOLCHAIN (rustup sets it for what
      // it runs, cargo and so cargo's rustc calls included), else from overrides and
      // rust-toolchain files for cwd: only then is the identity per directory. Cargo runs
      // each registry crate in its own directory, so this spares three processes per crate.
      const called = files.stamp(toolPath) ?? '';
      const where = env.RUSTUP_TOOLCHAIN || isToolchainRustc(toolPath, called) ? '' : cwd;
      const memoKey = [toolPath, where, target ?? '', ...RUSTC_IDENTITY_ENV.map((n) => env[n] ?? '\0')].join('\0');
      const k = known.get(memoKey);
      // The launcher's changes were learnt for the caller's values of what it changed (RUST_RECURSION_COUNT, CARGO_HOME...).
      const holds = (id: RustToolIdentity): boolean => launcherEnvHolds(id.launcher, (n) => env[n]);
      if (k && k.called === called && holds(k.identity) && k.identity.parts.every((p, i) => files.stamp(p.path) === k.stamps[i])) return k.identity;
      let p = pending.get(memoKey);
      if (!p) {
        p = identifyRustc(toolPath, env, cwd, target, files).finally(() => pending.delete(memoKey));
        pending.set(memoKey, p);
      }
      let identity = await p;
      if (!holds(identity)) identity = await identifyRustc(toolPath, env, cwd, target, files);
      known.set(memoKey, { called, identity, stamps: identity.parts.map((x) => files.stamp(x.path) ?? '') });
      return identity;
    },
    async linker(name, env) {
      const memoKey = [name, env.PATH ?? '', env.GCC_EXEC_PREFIX ?? '', env.COMPILER_PATH ?? ''].join('\0');
      const k = linkers.get(memoKey);
      if (k) {
        const id = await k.identity.catch(() => undefined);
        if (id && id.parts.every((p, i) => files.stamp(p.path) === k.stamps[i])) return id;
      }
      const identity = identifyLinker(name, env, files);
      const entry = { stamps: [] as string[], identity };
      linkers.set(memoKey, entry);
      try {
        const id = await identity;
        entry.stamps = id.parts.map((p) => files.stamp(p.path) ?? '');
        return id;
      } catch (e) {
        linkers.delete(memoKey);
        throw e;
      }
    },
    toolchain(id) {
      const libs = id.parts.filter((p) => !p.path.startsWith(`${id.sysroot}/lib/rustlib/`)).map((p) => p.path);
      return [...libs, join(id.sysroot, 'lib', 'rustlib'), ...HOST_FILES.filter((f) => existsSync(f))];
    },
  };
}
