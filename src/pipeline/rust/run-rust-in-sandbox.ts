import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import type { RustToolIdentity } from '../../adapters/rustc/identify-rustc.js';
import type { LinkerIdentity } from '../../adapters/rustc/identify-linker.js';
import { parseDepfile } from '../../adapters/gcc/parse-depfile.js';
import type { Sandbox } from '../../exec/create-sandbox.js';
import { buildView } from '../../exec/sandbox-view.js';
import type { CacheContext } from '../cache-context.js';
import { parseLookupTrace } from '../../exec/parse-lookup-trace.js';
import { installPaths } from '../../runtime/install-paths.js';
import { rustTraced, type RustTraced } from './rust-trace.js';
import { fillEnvLeak } from '../fill-env-leak.js';
import type { RunOutcome } from '../store-compile.js';
import { directRunEnv, rustRunEnv, type RustCall } from './rust-call.js';
import type { RustInputs } from './scan-rust-inputs.js';

/** The bytes and mode of each output, in job.outputs order. */
export interface RustOutputData {
  data: Buffer;
  mode: number;
}

export type RustSandboxRun =
  /** `linked`: what the linker's dependency file named (absolute), for a compile that links. */
  | { kind: 'ran'; outcome: RunOutcome; outputs: RustOutputData[] | undefined; linked: string[] | undefined; trace?: RustTraced }
  | { kind: 'sandbox-error'; why: string };

/**
 * Runs rustc where it sees only the toolchain, the files its pre-pass listed, the extern
 * crates, an empty /tmp and, at each output directory, a fresh scratch directory (rustc
 * writes temporary files there and renames them) with the inputs inside it bound
 * read-only on top: a `-L dependency=` directory then lists only the crates declared.
 * Nothing reaches the caller here. `outputs` is undefined when rustc failed or an
 * output is missing.
 */
export async function runRustInSandbox(ctx: CacheContext, sandbox: Sandbox, c: RustCall, tool: RustToolIdentity, linker: LinkerIdentity | undefined, learned: RustInputs, signal: AbortSignal, traced = true): Promise<RustSandboxRun> {
  const abs = (p: string): string => resolve(c.cwd, p);
  const wanted = c.job.outputs.map((o) => abs(o.path));
  const link = linker ? linkDepsArgs(c) : undefined;
  const tag = randomBytes(8).toString('hex');
  const outDirs = [...new Set(wanted.map((p) => dirname(p)))];
  const scratch = new Map(outDirs.map((d, i) => [d, join(sandbox.scratchDir, `${tag}-${i}`)]));
  const traceFile = traced ? join(sandbox.scratchDir, `${tag}-trace`) : undefined;
  try {
    sandbox.ensureScratch();
    for (const s of scratch.values()) mkdirSync(s, { mode: 0o700 });
    if (traceFile) writeFileSync(traceFile, '', { mode: 0o600 });
    const toolchain = [...ctx.rust.toolchain(tool), ...(linker?.files ?? [])];
    const tmpdir = c.env.get('TMPDIR');
    const externs = c.job.externs.flatMap((x) => (x.path === undefined ? [] : [abs(x.path)]));
    const view = buildView({
      toolchain: [...toolchain, ...(traceFile ? [installPaths.lookupTrace] : [])],
      inputDirs: learned.dirs ?? [],
      inputs: [...new Set([...learned.reads, ...externs])],
      outputs: traceFile ? [{ scratch: traceFile, path: traceFile }] : [],
      dirs: [c.cwd, c.keyCwd],
      tmpfs: ['/tmp', ...(tmpdir && tmpdir.startsWith('/') ? [tmpdir] : [])],
      scratchDirs: [...scratch].map(([path, s]) => ({ scratch: s, path })),
    });
    if (view.missing.length > 0) return { kind: 'sandbox-error', why: `cannot show ${view.missing[0]} in the sandbox` };
    const env = directRunEnv(c.env, tool);
    if (traceFile) {
      const preload = env.get('LD_PRELOAD');
      env.set('LD_PRELOAD', preload ? `${installPaths.lookupTrace}:${preload}` : installPaths.lookupTrace);
      env.set('REPRISE_TRACE', traceFile);
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const t0 = performance.now();
    const r = await sandbox.executor.run({
      toolPath: tool.rustc, argv0: tool.rustc, args: [...c.job.runArgs, ...c.terminalArgs, ...(link?.args ?? [])], cwd: c.cwd, env, umask: c.umask, signal,
      view: view.ops, onStarted: () => undefined, onStdout: (d) => out.push(d), onStderr: (d) => err.push(d),
    });
    if (r.kind === 'lost') return { kind: 'sandbox-error', why: 'the sandbox spawner died' };
    if (r.kind === 'spawn-failed') return { kind: 'sandbox-error', why: r.error };
    const outcome: RunOutcome = { code: r.code, signal: r.signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err), startedAtNs: learned.startedAtNs, durationMs: Math.round(performance.now() - t0) };
    if (r.code !== 0 || r.signal !== 0) return { kind: 'ran', outcome, outputs: undefined, linked: undefined };
    const inScratch = (p: string): string => join(scratch.get(dirname(p))!, basename(p));
    // Not /tmp as a whole: projects live there too (rustc's own temporaries are not in its source trees).
    // The output directories are the run's own, but the view hides what the host holds in
    // them beyond the declared inputs (a file a proc-macro reads there): only the outputs
    // themselves are the run's (rustc asks about them before it writes them).
    const own = [...wanted, ...(link ? [link.file] : []), sandbox.scratchDir];
    const outputs = readOutputs(wanted, inScratch);
    const leaked = traceFile ? fillEnvLeak([sandbox.scratchDir, installPaths.lookupTrace], [outcome.stdout, outcome.stderr, ...(outputs ?? []).map((o) => o.data)]) : undefined;
    const trace: RustTraced | undefined = !traceFile ? undefined
      : leaked !== undefined ? { kind: 'embedded', value: leaked }
      : rustTraced(parseLookupTrace(readFileSync(traceFile)), learned, { toolchain, own, outDirs, env: rustRunEnv(c.env), cwd: c.cwd, searchDirs: c.job.searchDirs.map((d) => resolve(c.cwd, d.path)) });
    return { kind: 'ran', outcome, outputs, linked: link && readLinked(inScratch(link.file)), ...(trace ? { trace } : {}) };
  } catch (e) {
    return { kind: 'sandbox-error', why: (e as Error).message };
  } finally {
    for (const s of scratch.values()) rmSync(s, { recursive: true, force: true });
    if (traceFile) rmSync(traceFile, { force: true });
  }
}

/**
 * For a compile that links: the linker writes a dependency file (GNU ld and lld both take
 * --dependency-file) beside the linked output, where a scratch directory receives it. The
 * argument reaches only the linker; the output's bytes do not change.
 */
export function linkDepsArgs(c: RustCall): { file: string; args: string[] } {
  const out = c.job.outputs.find((o) => o.role.startsWith('link:')) ?? c.job.outputs[0]!;
  const file = join(dirname(resolve(c.cwd, out.path)), '.reprise-link.d');
  return { file, args: ['-C', `link-arg=-Wl,--dependency-file=${file}`] };
}

/** The files a linker's dependency file names (absolute as the linker opened them), or undefined when it wrote none. */
export function readLinked(path: string): string[] | undefined {
  try {
    return parseDepfile(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Each output's bytes and permission bits from where it was written; undefined when one is missing. */
export function readOutputs(paths: readonly string[], at: (path: string) => string = (p) => p): RustOutputData[] | undefined {
  const got: RustOutputData[] = [];
  for (const p of paths) {
    try {
      const where = at(p);
      got.push({ data: readFileSync(where), mode: statSync(where).mode & 0o777 });
    } catch {
      return undefined;
    }
  }
  return got;
}
