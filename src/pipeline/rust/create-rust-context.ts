import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { identifyRustc, RUSTC_IDENTITY_ENV, type RustToolIdentity } from '../../adapters/rustc/identify-rustc.js';
import { createFileDigestCache, type FileDigestCache } from '../../hashing/file-digest-cache.js';
import type { DigestAlgorithm } from '../../hashing/types.js';

/** What the Rust pipeline keeps per daemon: the rustc toolchains it has met, and digests of the files compiles read. */
export interface RustContext {
  /** The identity of the rustc a call runs (revalidated by the stamps of every part on each use). */
  identify(toolPath: string, env: NodeJS.ProcessEnv, cwd: string, target: string | undefined): Promise<RustToolIdentity>;
  /** The files a rustc needs inside the sandbox: its binary and libraries, lib/rustlib, the loader's files and locale data. */
  toolchain(id: RustToolIdentity): string[];
  /** Sources and crates, digested without the C adapter's content scan (rlibs are megabytes). */
  files: FileDigestCache<undefined>;
}

/** Files every dynamically linked program may read before main, and locale data. */
const HOST_FILES = ['/etc/ld.so.cache', '/etc/ld.so.preload', '/usr/lib/locale'];

export function createRustContext(algorithm: DigestAlgorithm): RustContext {
  const files = createFileDigestCache({ algorithm, scan: () => undefined, maxEntries: 4096 });
  const known = new LRUCache<string, { called: string; stamps: string[]; identity: RustToolIdentity }>({ max: 64 });
  // Concurrent first calls (cargo -j) share one identification.
  const pending = new Map<string, Promise<RustToolIdentity>>();
  return {
    files: createFileDigestCache({ algorithm, scan: () => undefined }),
    async identify(toolPath, env, cwd, target) {
      // A rustup proxy resolves its toolchain from the environment, or from rust-toolchain files above cwd.
      const memoKey = [toolPath, cwd, target ?? '', ...RUSTC_IDENTITY_ENV.map((n) => env[n] ?? '\0')].join('\0');
      const k = known.get(memoKey);
      const called = files.stamp(toolPath) ?? '';
      if (k && k.called === called && k.identity.parts.every((p, i) => files.stamp(p.path) === k.stamps[i])) return k.identity;
      let p = pending.get(memoKey);
      if (!p) {
        p = identifyRustc(toolPath, env, cwd, target, files).finally(() => pending.delete(memoKey));
        pending.set(memoKey, p);
      }
      const identity = await p;
      known.set(memoKey, { called, identity, stamps: identity.parts.map((x) => files.stamp(x.path) ?? '') });
      return identity;
    },
    toolchain(id) {
      const libs = id.parts.filter((p) => !p.path.startsWith(`${id.sysroot}/lib/rustlib/`)).map((p) => p.path);
      return [...libs, join(id.sysroot, 'lib', 'rustlib'), ...HOST_FILES.filter((f) => existsSync(f))];
    },
  };
}
