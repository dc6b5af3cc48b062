import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { nativeLibrarySearch } from '../../adapters/rustc/native-library-search.js';
import type { CacheContext } from '../cache-context.js';
import { windowStartNs } from '../window-start-ns.js';
import type { RustCall } from './rust-call.js';
import type { RustInputs } from './scan-rust-inputs.js';
import { withRlibs } from './crate-deps.js';
import { crateCandidateViews } from './crate-candidates.js';

/** Files cargo leaves in a package it unpacked or vendored, never in a checkout: the package is immutable. */
const PACKAGED_MARKS = ['.cargo-checksum.json', '.cargo-ok'];
/** Beyond these a package is walked no further, and the pre-pass lists what the compile reads instead. */
const MAX_FILES = 8192;
const MAX_BYTES = 256 << 20;

/**
 * The inputs of a compile of a packaged crate (a registry or vendored package:
 * CARGO_MANIFEST_DIR holds .cargo-checksum.json or .cargo-ok), known without the
 * dependency pre-pass: every file of the package, the extern crates and the crates their
 * own compiles loaded (crate-deps.ts), and the native libraries `-l` names. The sandbox
 * shows the package directory whole and those files, so whatever the compile reads there
 * (rustc, or a proc-macro) is in the key. `env` is filled in from the compile's own
 * dep-info. Undefined when the call does not qualify: then the pre-pass runs.
 */
export async function packageInputs(ctx: CacheContext, c: RustCall): Promise<RustInputs | undefined> {
  const pkg = c.env.get('CARGO_MANIFEST_DIR');
  if (!pkg || !isAbsolute(pkg) || resolve(pkg) !== pkg) return undefined;
  if (!c.job.outputs.some((o) => o.role === 'dep-info')) return undefined; // its env-deps come from there
  const source = resolve(c.cwd, c.job.source);
  if (!source.startsWith(`${pkg}/`) || !PACKAGED_MARKS.some((m) => existsSync(join(pkg, m)))) return undefined;
  // A compile writing into its package would key its own earlier outputs.
  if (c.job.outputs.some((o) => resolve(c.cwd, o.path).startsWith(`${pkg}/`))) return undefined;
  const startedAtNs = windowStartNs();
  const files = walkPackage(pkg);
  if (!files) return undefined;
  const externs: Array<{ path: string; digest: string }> = [];
  for (const x of c.job.externs) {
    if (x.path === undefined) return undefined; // found through -L: only the pre-pass can say which
    const path = resolve(c.cwd, x.path);
    const d = ctx.rust.files.peek(path) ?? (await ctx.rust.files.digest(path));
    if (!d) return undefined;
    externs.push({ path, digest: d.digest.hash });
  }
  const loaded = ctx.rust.crateDeps.closure(externs);
  if (!loaded) return undefined;
  const crates = c.job.links ? withRlibs(loaded) : loaded;
  const native = nativeLibrarySearch(c.job, c.cwd);
  const reads = [...new Set([...crates, ...native.found])];
  const inputs: RustInputs['inputs'] = [];
  for (const path of [...files, ...reads]) {
    const d = ctx.rust.files.peek(path) ?? (await ctx.rust.files.digest(path));
    if (!d) return undefined;
    inputs.push({ path, digest: d.digest.hash });
  }
  const candidates = crateCandidateViews(ctx.algorithm, c.job, c.cwd, inputs.map((i) => i.path));
  return { reads, dirs: [pkg], inputs, env: [], candidates, absent: native.absent, startedAtNs };
}

/** Every regular file under dir, sorted; undefined past the limits or at a symlink or special file (its target would be outside the key). */
function walkPackage(dir: string): string[] | undefined {
  const out: string[] = [];
  let bytes = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop()!;
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return undefined;
    }
    for (const n of names) {
      const p = `${d}/${n}`;
      const st = lstatSync(p, { throwIfNoEntry: false });
      if (!st) return undefined;
      if (st.isDirectory()) stack.push(p);
      else if (st.isFile()) {
        out.push(p);
        bytes += st.size;
        if (out.length > MAX_FILES || bytes > MAX_BYTES) return undefined;
      } else return undefined;
    }
  }
  return out.sort();
}
