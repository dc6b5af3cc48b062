import { execFile } from 'node:child_process';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FileDigestCache } from '../../hashing/file-digest-cache.js';
import { installPaths } from '../../runtime/install-paths.js';
import { launcherProbe, type LauncherEnv } from './launcher-env.js';

/** What decides the bytes a rustc produces, and where its own files are. */
export interface RustToolIdentity {
  /** `rustc -vV`: release, commit, host and LLVM version. */
  version: string;
  /** The host triple (from -vV). */
  host: string;
  /** `rustc --print sysroot`. */
  sysroot: string;
  /** The compiler binary itself (the toolchain's, not a rustup proxy in front of it). */
  rustc: string;
  /** Content digests of the binary, the shared libraries it loads (librustc_driver, LLVM) and the sysroot's target libraries. */
  parts: Array<{ path: string; digest: string }>;
  /** What the called rustc (a rustup proxy) changes in the environment of the real one, which the daemon runs directly (launcher-env.ts). */
  launcher?: LauncherEnv;
}

/** Environment that reaches rustc's own start-up (a rustup proxy picks the toolchain from these). */
export const RUSTC_IDENTITY_ENV = ['RUSTUP_TOOLCHAIN', 'RUSTUP_HOME', 'PATH', 'LD_LIBRARY_PATH'] as const;

/**
 * Identifies the rustc a call names: asks it for -vV and its sysroot (through a rustup
 * proxy this finds the toolchain the call would run), then digests the real binary, the
 * libraries `ldd` says it loads, and every file under lib/rustlib/<target>/lib for the
 * host and `target`. `files` must not scan content (these are large).
 */
export async function identifyRustc(toolPath: string, env: NodeJS.ProcessEnv, cwd: string, target: string | undefined, files: FileDigestCache<unknown>): Promise<RustToolIdentity> {
  const sysroot = (await run(toolPath, ['--print', 'sysroot'], env, cwd)).trim();
  if (!sysroot.startsWith('/')) throw new Error(`${toolPath} --print sysroot gave ${JSON.stringify(sysroot)}`);
  const own = join(sysroot, 'bin', 'rustc');
  const rustc = realpathSync(existsSync(own) ? own : toolPath);
  // A launcher in front (rustup's proxy) sets variables a proc-macro can read: the daemon gives
  // rustc the same, as the -vV run through it shows them.
  const probe = realpathSync(toolPath) === rustc ? undefined : launcherProbe(rustc, env, installPaths.lookupTrace);
  let version: string;
  let launcher: LauncherEnv | undefined;
  try {
    version = await run(toolPath, ['-vV'], probe?.env ?? env, cwd);
    launcher = probe?.read();
  } finally {
    probe?.done();
  }
  const host = /^host: (\S+)$/m.exec(version)?.[1];
  if (!host) throw new Error(`${toolPath} -vV names no host`);
  const paths = [rustc, ...(await sharedLibraries(rustc)).map((p) => resolve(p))];
  for (const t of new Set([host, target ?? host])) paths.push(...listFiles(join(sysroot, 'lib', 'rustlib', t, 'lib')));
  const parts: RustToolIdentity['parts'] = [];
  for (const path of paths) {
    const d = await files.digest(path);
    if (!d) throw new Error(`cannot read ${path}`);
    parts.push({ path, digest: d.digest.hash });
  }
  return { version, host, sysroot, rustc, parts, ...(launcher ? { launcher } : {}) };
}

/** Every regular file below dir, sorted (none when it does not exist). */
function listFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  return entries.map((e) => join(dir, e)).filter((p) => statSync(p, { throwIfNoEntry: false })?.isFile()).sort();
}

/** Absolute paths from `ldd`, the loader included. */
async function sharedLibraries(program: string): Promise<string[]> {
  const text = await run('ldd', [program], process.env, '/').catch(() => '');
  const libs: string[] = [];
  for (const line of text.split('\n')) {
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (m) libs.push(m[1]!);
  }
  return libs;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, cwd, timeout: 20_000, maxBuffer: 1 << 20 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}
