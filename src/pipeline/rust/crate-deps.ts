import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { LRUCache } from 'lru-cache';

/** A crate file this daemon wrote or served, and the crates its compile loaded. */
interface Known {
  digest: string;
  /** Absolute paths of every crate the compile loaded (externs and their dependencies, transitively), sysroot's aside. */
  loaded: string[];
}

/**
 * Which crates each crate file (rlib, rmeta, proc-macro) was compiled against, as its own
 * compile's inputs listed them, for the crate files this daemon stored or replayed. rustc
 * loading a crate loads the crates it depends on, so a compile's crates are its externs
 * and what their compiles loaded: known without a dependency pre-pass (package-inputs.ts).
 */
export interface CrateDeps {
  /** Records an output crate file (at its absolute path, with its content digest) and the crate files its compile loaded. */
  remember(path: string, digest: string, loaded: readonly string[]): void;
  /** What a compile with these externs loads, or undefined when one is unknown or its bytes are not those recorded. */
  closure(externs: ReadonlyArray<{ path: string; digest: string }>): string[] | undefined;
}

/** Crate files: what rustc loads from `--extern` and `-L dependency=`. */
export const CRATE_FILE = /\.(?:rlib|rmeta|so)$/;

export function createCrateDeps(max = 8192): CrateDeps {
  const known = new LRUCache<string, Known>({ max });
  return {
    remember(path, digest, loaded) {
      known.set(path, { digest, loaded: [...loaded] });
    },
    closure(externs) {
      const out = new Set<string>();
      for (const x of externs) {
        const k = known.get(x.path);
        if (!k || k.digest !== x.digest) return undefined;
        out.add(x.path);
        for (const p of k.loaded) out.add(p);
      }
      return [...out];
    },
  };
}

/** The files plus, for each `.rmeta` among them, the `.rlib` beside it if there is one: a link needs the rlib of every crate whose metadata the compile reads from an rmeta. */
export function withRlibs(files: readonly string[]): string[] {
  const out = [...files];
  for (const f of files) if (f.endsWith('.rmeta') && existsSync(`${f.slice(0, -6)}.rlib`)) out.push(`${f.slice(0, -6)}.rlib`);
  return out;
}

/**
 * Records the crate files among a compile's outputs (paths as the caller gave them, digests
 * of the bytes it got) with the crate files among the compile's inputs (absolute).
 */
export function rememberCrates(deps: CrateDeps, cwd: string, outputs: ReadonlyArray<{ path: string; digest: string }>, inputs: readonly string[]): void {
  const loaded = inputs.filter((p) => CRATE_FILE.test(p));
  for (const o of outputs) {
    const path = resolve(cwd, o.path);
    if (CRATE_FILE.test(path)) deps.remember(path, o.digest, loaded);
  }
}
