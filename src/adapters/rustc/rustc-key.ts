import { KeyBuilder, type BuiltKey } from '../../keying/key-builder.js';
import type { DigestAlgorithm } from '../../hashing/types.js';
import type { RustToolIdentity } from './identify-rustc.js';
import type { LinkerIdentity } from './identify-linker.js';
import type { RustJob } from './types.js';

/**
 * Bumped whenever the list below changes, or what a fill must prove before it is stored, so
 * old entries can never match new rules (3: entries a fill stored with the tracer's variables
 * in its output, a refused write, a clock-reading proc-macro or /proc/self/environ read;
 * 4: a proc-macro's read of an unkeyed variable such as PATH, and rustup's proxy's variables).
 */
export const RUSTC_KEY_SALT = 'reprise-rustc-key-4';

/**
 * Variables rustc itself reads that change its outputs or messages (mirrored in
 * docs/trust-model.md). Cargo's own variables are taken by prefix (rustKeyEnv).
 */
export const RUSTC_KEY_ENV = [
  'RUSTC_BOOTSTRAP', 'RUSTC_FORCE_RUSTC_VERSION', 'SOURCE_DATE_EPOCH', 'RUSTC_LOG', 'RUST_LOG',
  'LD_LIBRARY_PATH', 'LIBRARY_PATH', 'OUT_DIR', 'GCC_EXEC_PREFIX', 'COMPILER_PATH',
] as const;

/**
 * Variables spelled from the target directory in the direct key, like keyPaths. A build
 * script's OUT_DIR is set for every crate that has one, and reaches an output only through
 * `env!` (then its value is in the result key, from `# env-dep`) or through the files read
 * from it (then they are inputs under the target directory, which bind the entry:
 * portable-rust-result.ts). Cargo puts `<target>/debug/deps` on the loader's path for
 * proc-macros; the lists are spelled element by element.
 */
const TARGET_RELATIVE_ENV = new Map([['OUT_DIR', false], ['LD_LIBRARY_PATH', true], ['LIBRARY_PATH', true]]);

/** Marks a path keyed from the target directory: argv words and variables cannot hold NUL, so no spelled path collides with it. */
const TARGET_MARK = '\0TARGET';

/** `path` spelled from the target directory (for the key, and for people), or undefined when it is not an absolute path under it. */
export function fromTargetDir(path: string, targetDir: string | undefined): { key: string; display: string } | undefined {
  if (targetDir === undefined || (path !== targetDir && !path.startsWith(`${targetDir}/`))) return undefined;
  const tail = path.slice(targetDir.length);
  return { key: `${TARGET_MARK}${tail}`, display: `$TARGET${tail}` };
}

/** Never keyed: the jobserver's file descriptors (the daemon strips them), and secrets. */
const NOT_KEYED = /^(?:CARGO_MAKEFLAGS$|.*(?:TOKEN|SECRET|PASSWORD|CREDENTIAL))/i;

/** The keyed environment: RUSTC_KEY_ENV, and every CARGO_* variable except the jobserver and secrets, sorted. */
export function rustKeyEnv(env: ReadonlyMap<string, string>): Array<[string, string | undefined]> {
  const out: Array<[string, string | undefined]> = RUSTC_KEY_ENV.map((n) => [n, env.get(n)]);
  const cargo = [...env.keys()].filter((n) => n.startsWith('CARGO') && !NOT_KEYED.test(n)).sort();
  for (const n of cargo) out.push([n, env.get(n)]);
  return out;
}

export interface RustDirectKeyInput {
  algorithm: DigestAlgorithm;
  tool: RustToolIdentity;
  job: RustJob;
  terminalArgs: readonly string[];
  /** The working directory: relative paths resolve from it, and debug info and diagnostics record it. */
  cwd: string;
  env: ReadonlyMap<string, string>;
  sourceDigest: string;
  /** Parallel to job.externs: the digest of each extern file (undefined for `--extern name` without a path). */
  externDigests: Array<string | undefined>;
  hostCpu: string | undefined;
  /** The linker driver, for a compile that links. */
  linker: LinkerIdentity | undefined;
  /** The cargo target directory the outputs go to (cargo-target-dir.ts): paths under it are keyed from it. */
  targetDir: string | undefined;
}

/**
 * The direct key: everything known before rustc runs. Its inputs:
 *  1. the salt above;
 *  2. the tool: `rustc -vV`, and the digests of the binary, its shared libraries and the
 *     sysroot's target libraries (identify-rustc.ts);
 *  3. every argument, in order, as given (`-C incremental` removed), and the terminal arguments;
 *  4. the working directory;
 *  5. the environment of rustKeyEnv, set or unset;
 *  6. the crate root's content digest;
 *  7. each --extern's name, path and content digest: an rmeta whose bytes did not change
 *     keys the same, so dependants of an edit that kept the interface still hit;
 *  8. the host CPU with -C target-cpu=native;
 *  9. for a compile that links: the linker driver's path and the digests of it and of the
 *     programs it runs (cc1 and as as for C, collect2, ld, the LTO plugin);
 * 10. whether paths under a cargo target directory are spelled from it: those of
 *     `--out-dir`, `-L`, `--extern` and OUT_DIR, which name where rustc looks and writes.
 *     Two checkouts then key registry crates alike (their working directory is the
 *     registry's); what the spelling reaches (dep-info, messages) is rewritten per caller.
 * Every file the compile read (modules, include_str!, the crates it loaded, and what the
 * linker linked: crt objects, libc, libgcc, as its dependency file names them) and every
 * variable it read (`# env-dep`) are checked through the manifest this key finds, and
 * form the result key (docs/trust-model.md, "rustc").
 */
export function rustDirectKey(k: RustDirectKeyInput): BuiltKey {
  const b = new KeyBuilder(k.algorithm).add('salt', RUSTC_KEY_SALT);
  const t = k.targetDir;
  const at = (p: string) => fromTargetDir(p, t);
  b.add('target-dir', t === undefined ? 'none' : 'relative');
  b.add('tool:version', k.tool.version);
  for (const p of k.tool.parts) b.add('tool:file', `${p.path}\0${p.digest}`, `${p.path} ${p.digest}`);
  // What the launcher (rustup's proxy) gives rustc besides the caller's values: a proc-macro may read
  // it, and how the proxy chose (RUSTUP_TOOLCHAIN_SOURCE) is not in the toolchain's files.
  for (const [name, v] of Object.entries(k.tool.launcher?.set ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const own = launcherPart(v, k.tool.launcher!.given[name] ?? null);
    b.add(`tool:launcher-env:${name}`, own === null ? '\0unset' : `=${own}`, own ?? '(unset)');
  }
  const args = [...k.job.keyArgs];
  const shown = [...k.job.keyArgs];
  for (const p of k.job.keyPaths) {
    const word = args[p.arg];
    const spelled = word === undefined ? undefined : at(word.slice(p.start));
    if (!spelled) continue;
    args[p.arg] = word!.slice(0, p.start) + spelled.key;
    shown[p.arg] = word!.slice(0, p.start) + spelled.display;
  }
  args.forEach((a, i) => b.add('arg', a, shown[i]));
  for (const a of k.terminalArgs) b.add('terminal-arg', a);
  b.add('cwd', k.cwd);
  for (const [name, v] of rustKeyEnv(k.env)) {
    const list = TARGET_RELATIVE_ENV.get(name);
    if (v === undefined) b.add(`env:${name}`, '\0unset', '(unset)');
    else if (list === undefined || t === undefined) b.add(`env:${name}`, `=${v}`, v);
    else {
      const parts = (list ? v.split(':') : [v]).map((p) => at(p) ?? { key: p, display: p });
      b.add(`env:${name}`, `=${parts.map((p) => p.key).join(':')}`, parts.map((p) => p.display).join(':'));
    }
  }
  b.add('source', `${k.job.source}\0${k.sourceDigest}`, `${k.job.source} ${k.sourceDigest}`);
  k.job.externs.forEach((x, i) => {
    const d = k.externDigests[i];
    const spelled = x.path === undefined ? undefined : at(x.path);
    b.add('extern', `${x.name}\0${spelled?.key ?? x.path ?? ''}\0${d ?? ''}`, `${x.name}=${spelled?.display ?? x.path ?? '(search)'} ${d ?? ''}`);
  });
  if (k.hostCpu !== undefined) b.add('host-cpu', k.hostCpu);
  if (k.linker) {
    b.add('linker', k.linker.path);
    for (const p of k.linker.parts) b.add(`linker:${p.name}`, p.digest, `${p.path} ${p.digest}`);
  }
  return b.finish();
}

/**
 * The result key: the direct key plus every file the compile read (stored paths, digests)
 * and every variable it read, and the directories of an entry bound to them (its outputs
 * hold them: the same inputs elsewhere give other bytes).
 */
export function rustResultKey(algorithm: DigestAlgorithm, directKey: string, inputs: ReadonlyArray<{ path: string; digest: string }>, env: ReadonlyArray<{ name: string; value: string | null }>, bound?: { cwd: string; pwd: string }, absent: readonly string[] = []): string {
  const b = new KeyBuilder(algorithm).add('direct', directKey);
  if (bound) b.add('bound', `${bound.cwd}\0${bound.pwd}`);
  for (const i of inputs) b.add('input', `${i.path}\0${i.digest}`);
  for (const e of env) b.add('env-dep', e.value === null ? `${e.name}\0unset` : `${e.name}=${e.value}`);
  for (const a of absent) b.add('absent', a);
  return b.finish().key;
}

/** The launcher's own part of a variable it set: what it put before the caller's value (LD_LIBRARY_PATH's toolchain lib), else the whole value. */
function launcherPart(set: string | null, given: string | null): string | null {
  if (set === null || given === null || given === '' || !set.endsWith(given)) return set;
  return `${set.slice(0, set.length - given.length)}\u2026`;
}
