import { readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { RustToolIdentity } from '../../adapters/rustc/identify-rustc.js';
import { nativeLibrarySearch } from '../../adapters/rustc/native-library-search.js';
import { parseRustDepInfo } from '../../adapters/rustc/parse-rust-depinfo.js';
import type { RustcUncacheableReason } from '../../adapters/rustc/types.js';
import type { Sandbox } from '../../exec/create-sandbox.js';
import { runOnHost } from '../../exec/run-on-host.js';
import type { CacheContext } from '../cache-context.js';
import type { PipelineUncacheableReason } from '../uncacheable-reasons.js';
import { windowStartNs } from '../window-start-ns.js';
import { directRunEnv, type RustCall } from './rust-call.js';
import { withRlibs } from './crate-deps.js';
import { crateCandidateViews, type CandidateView } from './crate-candidates.js';

/** What a rustc compile reads, as its dependency pre-pass reported it. */
export interface RustInputs {
  /** Every file it read, absolute: what the sandbox shows. */
  reads: string[];
  /** Directories shown whole (a packaged crate's: package-inputs.ts), every file of which is in `inputs`. */
  dirs?: string[];
  /** Those the key does not already cover through the tool identity (the sysroot's crates), with digests. */
  inputs: Array<{ path: string; digest: string }>;
  /** The variables it read (`# env-dep`, and from the lookup trace), with the caller's values. */
  env: Array<{ name: string; value: string | null }>;
  /** The crates rustc could have found where it searched, before the compile (crate-candidates.ts): a manifest input each. */
  candidates?: CandidateView[];
  /** Paths found absent, absolute, each of which must stay absent: where a `-l` library was looked for first, and, in a traced fill, a module's other file. */
  absent?: string[];
  /** When the pre-pass began: inputs changed after it may not be what the compile read. */
  startedAtNs: bigint;
}

/**
 * The dependency pre-pass: the call's arguments with only `--emit=dep-info=PRIVATE` and
 * `-Z binary-dep-depinfo` (RUSTC_BOOTSTRAP=1 allows the flag on a stable rustc; it only
 * reaches this pass, never the compile). Its dep-info lists every source module, every
 * include_str!/include_bytes! file, every crate loaded (extern, transitive and proc-macro)
 * and every `env!`/`option_env!` variable. The pass stops after macro expansion. The native
 * libraries `-l` names are added, and where they were looked for first stays absent
 * (nativeLibrarySearch): no dep-info lists them.
 *
 * With a sandbox the pass runs over the host's read-only view (runOnHost): proc-macros run
 * in it, and a side effect of theirs (a file written or appended to) must happen once per
 * compile, as bare rustc has it, not here and again in the run the caller gets.
 */
export async function scanRustInputs(ctx: CacheContext, c: RustCall, tool: RustToolIdentity, signal: AbortSignal, sandbox?: Sandbox): Promise<RustInputs | PipelineUncacheableReason | RustcUncacheableReason> {
  const depfile = join(sandbox?.scratchDir ?? ctx.scratchDir, `${randomBytes(8).toString('hex')}.rs.d`);
  const env = directRunEnv(c.env, tool);
  env.set('RUSTC_BOOTSTRAP', '1');
  const startedAtNs = windowStartNs();
  const args = [...c.job.scanArgs, `--emit=dep-info=${depfile}`, '-Z', 'binary-dep-depinfo'];
  try {
    if (sandbox) {
      sandbox.ensureScratch();
      await writeFile(depfile, '', { mode: 0o600 }); // rustc truncates it: the view is read-only but for the scratch directory
      const r = await runOnHost({ sandbox, toolPath: tool.rustc, args, cwd: c.cwd, env, umask: c.umask, outputs: [], signal, log: ctx.log });
      if (r.kind !== 'ran') return 'sandbox-error';
      if (r.code !== 0 || r.signal !== 0) return 'dep-scan-failed';
    } else {
      const r = await ctx.executor.run({
        toolPath: tool.rustc, argv0: tool.rustc, args, cwd: c.cwd, env, umask: c.umask, signal, onStarted: () => undefined, onStdout: () => undefined, onStderr: () => undefined,
      });
      if (r.kind !== 'exited' || r.code !== 0 || r.signal !== 0) return 'dep-scan-failed';
    }
    return await rustInputsFromDepInfo(ctx, c, tool, await readFile(depfile, 'utf8').catch(() => ''), startedAtNs);
  } finally {
    await rm(depfile, { force: true }).catch(() => undefined);
  }
}

/** What the pre-pass's dep-info (with `-Z binary-dep-depinfo`) says the compile reads: files (digested, but for the sysroot's) and variables. */
export async function rustInputsFromDepInfo(ctx: CacheContext, c: RustCall, tool: RustToolIdentity, text: string, startedAtNs: bigint): Promise<RustInputs | 'bad-depinfo' | 'input-vanished'> {
  const info = parseRustDepInfo(text);
  if (!info) return 'bad-depinfo';
  const reads: string[] = [];
  const inputs: RustInputs['inputs'] = [];
  const rustlib = `${tool.sysroot.replace(/\/+$/, '')}/lib/rustlib/`;
  const read = info.files.map((f) => resolve(c.cwd, f));
  const files = c.job.links ? withRlibs(read) : read;
  // Native libraries `-l` names (a build script's C code): rustc bundles them or the linker reads them.
  const native = nativeLibrarySearch(c.job, c.cwd);
  files.push(...native.found);
  for (const path of [...new Set(files)]) {
    reads.push(path);
    if (path.startsWith(rustlib)) continue; // the tool identity digests these
    const d = ctx.rust.files.peek(path) ?? (await ctx.rust.files.digest(path));
    if (!d) return 'input-vanished';
    inputs.push({ path, digest: d.digest.hash });
  }
  // The compile sees the caller's environment, not this pass's.
  const envDeps = info.env.map((e) => ({ name: e.name, value: c.env.get(e.name) ?? null }));
  const candidates = crateCandidateViews(ctx.algorithm, c.job, c.cwd, inputs.map((i) => i.path));
  return { reads, inputs, env: envDeps, candidates, absent: native.absent, startedAtNs };
}
