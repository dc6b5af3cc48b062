import { readFile, rm } from 'node:fs/promises';
import { mkdirSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { delimiter, join, relative, resolve } from 'node:path';
import { GCC_KEY_ENV, gccResultKey } from '../adapters/gcc/gcc-direct-key.js';
import { directKeyFor } from './direct-key-for.js';
import { storedEntry } from './portable-entry.js';
import { includeProbes } from '../adapters/gcc/include-probes.js';
import type { ContentScan } from '../adapters/gcc/scan-content.js';
import { parseDepfile } from '../adapters/gcc/parse-depfile.js';
import { digestBytes } from '../hashing/create-hasher.js';
import type { BuiltKey } from '../keying/key-builder.js';
import type { ActionResult, OutputFile } from '../store/types.js';
import type { CacheContext } from './cache-context.js';
import type { CallSink } from './call-sink.js';
import { addManifestEntry, matchManifest, type ManifestEntry } from './manifest.js';
import { jobOutputs, placeOutputs } from './place-outputs.js';
import type { KeyRebase } from './rebase-key-paths.js';
import { replay } from './replay.js';
import { rebasable, type CallDirs } from './stored-path.js';
import type { CompileJob } from './types.js';
import type { PipelineUncacheableReason } from './uncacheable-reasons.js';

const START_MARGIN_MS = 10;

export interface CompileCall {
  tool: string;
  toolPath: string;
  /** Where the compiler runs (getcwd). */
  cwd: string;
  /** The directory it records in its outputs ($PWD when that names cwd): the key's cwd. */
  keyCwd: string;
  umask: number;
  env: Map<string, string>;
  job: CompileJob;
  terminalArgs: string[];
}

/**
 * One cacheable compile, start to end (ccache's do_cache_compilation is the model):
 * identify the tool → digest the source → direct key → manifest → result → replay;
 * otherwise compile once per key at a time, learn the inputs from the depfile, and store.
 * Every early exit names a statistic. A store failure never fails the call.
 */
export async function cachedCompile(ctx: CacheContext, c: CompileCall, sink: CallSink): Promise<void> {
  const keyed = await directKeyFor(ctx, c);
  if (keyed.kind === 'uncacheable') return compileUncached(ctx, c, sink, keyed.reason);
  const direct = keyed.key;
  await ctx.flight(direct.key, async () => {
    if (await tryHit(ctx, c, direct, sink)) return;
    await compileAndStore(ctx, c, { ...direct, rebase: keyed.rebase }, sink);
  });
}

async function tryHit(ctx: CacheContext, c: CompileCall, direct: BuiltKey, sink: CallSink): Promise<boolean> {
  try {
    const manifest = await ctx.manifests.get(direct.key);
    if (!manifest) return false;
    const resultKey = await matchManifest(manifest, ctx.files, { cwd: c.cwd, pwd: c.keyCwd });
    if (!resultKey) return false;
    const result = await ctx.actions.get(resultKey);
    if (!result || result.outputs.length !== jobOutputs(c.job).length) return false;
    if (!(await replay(result, ctx.cas, ctx.algorithm, placeOutputs(c), c.umask, sink))) return false;
    ctx.stats.bumpTool(c.tool, 'direct-hit');
    ctx.stats.bumpCache('time-saved-ms', result.durationMs);
    ctx.why.hit(c, direct, resultKey); // queued: written after the reply
    return true;
  } catch (e) {
    ctx.stats.bumpCache('store-error');
    ctx.log.warn(`lookup failed, compiling: ${(e as Error).message}`);
    return false;
  }
}

interface RunOutcome {
  code: number;
  signal: number;
  stdout: Buffer;
  stderr: Buffer;
  startedAtNs: bigint;
  durationMs: number;
}

/**
 * Runs the compiler through the executor, streaming to the caller and keeping a copy.
 * Undefined when there is no outcome; the caller has then been answered already.
 */
async function run(ctx: CacheContext, c: CompileCall, args: string[], sink: CallSink): Promise<RunOutcome | undefined> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  // File times come from the kernel's coarse clock, a few ms behind: start the window early.
  const startedAtNs = BigInt(Date.now() - START_MARGIN_MS) * 1_000_000n;
  const t0 = performance.now();
  const r = await ctx.executor.run({
    toolPath: c.toolPath, argv0: c.toolPath, args, cwd: c.cwd, env: c.env, umask: c.umask, signal: sink.signal,
    onStarted: (pgid) => sink.started(pgid),
    onStdout: (d) => (out.push(d), sink.stdout(d)),
    onStderr: (d) => (err.push(d), sink.stderr(d)),
  });
  if (r.kind === 'lost') {
    sink.abandon();
    return undefined;
  }
  if (r.kind === 'spawn-failed') {
    ctx.log.warn(`${c.tool}: cannot run ${c.toolPath}: ${r.error}`);
    sink.decline('spawn-failed');
    return undefined;
  }
  return { code: r.code, signal: r.signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err), startedAtNs, durationMs: Math.round(performance.now() - t0) };
}

/**
 * The dependency-only pre-pass of an -MMD compile: the same arguments with -M, so the full
 * list (system headers included) lands in a private file. Its output is not the caller's.
 */
async function depScan(ctx: CacheContext, c: CompileCall, args: string[], depfile: string, signal: AbortSignal): Promise<{ ok: boolean; startedAtNs: bigint }> {
  const startedAtNs = BigInt(Date.now() - START_MARGIN_MS) * 1_000_000n;
  const r = await ctx.executor.run({
    toolPath: c.toolPath, argv0: c.toolPath, args: [...args, '-M', '-MF', depfile], cwd: c.cwd, env: c.env, umask: c.umask, signal,
    onStarted: () => undefined, onStdout: () => undefined, onStderr: () => undefined,
  });
  return { ok: r.kind === 'exited' && r.code === 0 && r.signal === 0, startedAtNs };
}

/** Runs the compile without storing anything, counting why. */
export async function compileUncached(ctx: CacheContext, c: CompileCall, sink: CallSink, reason: PipelineUncacheableReason): Promise<void> {
  ctx.stats.uncacheable(c.tool, reason);
  await runPlain(ctx, c, sink);
}

async function runPlain(ctx: CacheContext, c: CompileCall, sink: CallSink): Promise<void> {
  const r = await run(ctx, c, [...c.job.runArgs, ...c.terminalArgs], sink);
  if (!r) return;
  if (r.code !== 0) ctx.stats.bumpTool(c.tool, 'tool-failed');
  sink.exit(r.code, r.signal);
}

/** The scratch directory may have been deleted under us (the cache removed by hand): make it again. */
function scratchReady(ctx: CacheContext): boolean {
  try {
    mkdirSync(ctx.scratchDir, { recursive: true, mode: 0o700 });
    return true;
  } catch (e) {
    ctx.log.warn(`cannot create ${ctx.scratchDir}: ${(e as Error).message}; compiling without storing`);
    return false;
  }
}

/** The direct key (with its transcript, for `reprise why`), and how it spells paths under the base dir. */
interface Keyed extends BuiltKey {
  rebase: KeyRebase;
}

async function compileAndStore(ctx: CacheContext, c: CompileCall, direct: Keyed, sink: CallSink): Promise<void> {
  const abs = (p: string): string => resolve(c.cwd, p);
  // Learn every file the compiler read from a depfile: the caller's, a private one, or
  // (when the caller's leaves system headers out) a private one from a -M pre-pass.
  const scan = c.job.depScanArgs;
  const ownDepfile = c.job.depfile && !scan ? undefined : join(ctx.scratchDir, `${randomBytes(8).toString('hex')}.d`);
  // A private depfile gcc cannot write would fail the compile: never risk that.
  if (ownDepfile && !scratchReady(ctx)) {
    ctx.stats.bumpCache('store-error');
    return runPlain(ctx, c, sink);
  }
  const depArgs = ownDepfile && !scan ? ['-MD', '-MF', ownDepfile] : [];
  const scanned = scan && ownDepfile ? await depScan(ctx, c, scan, ownDepfile, sink.signal) : undefined;
  const r = await run(ctx, c, [...c.job.runArgs, ...c.terminalArgs, ...depArgs], sink);
  try {
    if (!r) return;
    if (r.code !== 0 || r.signal !== 0) {
      ctx.stats.bumpTool(c.tool, 'tool-failed'); // failed compiles are not stored
      return;
    }
    if (scanned) r.startedAtNs = scanned.startedAtNs; // inputs must be unchanged since the pre-pass read them
    const stored = scan && !scanned?.ok ? 'dep-scan-failed' : await store(ctx, c, direct, r, ownDepfile ?? abs(c.job.depfile!.path));
    if (typeof stored === 'string') {
      ctx.stats.uncacheable(c.tool, stored);
      ctx.why.notStored(c, direct, stored);
    } else {
      ctx.stats.bumpTool(c.tool, 'miss');
      ctx.why.miss(c, direct, stored.resultKey);
    }
  } catch (e) {
    ctx.stats.bumpCache('store-error');
    ctx.log.warn(`${c.tool}: not stored: ${(e as Error).message}`);
  } finally {
    if (ownDepfile) await rm(ownDepfile, { force: true }).catch(() => undefined);
    if (r) sink.exit(r.code, r.signal);
  }
}

/** Stores a successful compile and returns its manifest entry, or an uncacheable reason when it must not be stored. */
async function store(ctx: CacheContext, c: CompileCall, direct: Keyed, r: RunOutcome, depfilePath: string): Promise<PipelineUncacheableReason | ManifestEntry> {
  const abs = (p: string): string => resolve(c.cwd, p);
  let depText: string;
  try {
    depText = await readFile(depfilePath, 'utf8');
  } catch {
    return 'no-depfile';
  }
  const spelled = parseDepfile(depText);
  const deps = spelled.map(abs);
  if (deps.length === 0) return 'no-depfile';
  const inputs: Array<{ path: string; digest: string }> = [];
  const scanned: Array<{ path: string; scan: ContentScan }> = [];
  for (const path of deps) {
    const d = await ctx.files.digest(path);
    if (!d) return 'input-vanished';
    if (d.scan.timeMacro) return 'time-macro';
    if (d.scan.computedProbe) return 'computed-has-include';
    if (changedSince(path, r.startedAtNs)) return 'input-changed-during-compile';
    scanned.push({ path, scan: d.scan });
    inputs.push({ path, digest: d.digest.hash });
  }
  const systemDirs = await ctx.systemIncludeDirs(c.toolPath, c.job.language, c.job.systemDirArgs, Object.fromEntries(c.env));
  const envDirs = (name: string): string[] => (c.env.get(name) ?? '').split(delimiter).filter((d) => d !== '');
  const dirs = c.job.includeDirs;
  const chain = [
    ...dirs.quote, ...dirs.bracket, ...envDirs('CPATH'), ...dirs.system,
    ...envDirs(c.job.language.startsWith('c++') ? 'CPLUS_INCLUDE_PATH' : 'C_INCLUDE_PATH'), ...systemDirs, ...dirs.after,
  ];
  const { absent, present, origins } = includeProbes({ inputs: scanned, chain: chain.map(abs) });

  const files = jobOutputs(c.job);
  const data: Buffer[] = [];
  for (const o of files) {
    try {
      data.push(await readFile(abs(o.path)));
    } catch {
      return 'missing-output';
    }
  }
  const callerDepfile = c.job.depfile && { data: data[files.length - 1]!, targets: c.job.depfile.targets };
  const entry = await storedEntry({
    algorithm: ctx.algorithm, baseDir: ctx.baseDir, dirs: { cwd: c.cwd, pwd: c.keyCwd }, rebase: direct.rebase,
    envValues: GCC_KEY_ENV.flatMap((n) => c.env.get(n) ?? []), spelled, inputs, chain,
    absent, present, origins, outputs: [...data.slice(0, c.job.outputs.length), r.stdout, r.stderr], depfile: callerDepfile,
  });
  if (entry.anchor) {
    ctx.stats.bumpCache('entry-bound');
    ctx.log.debug(`${c.tool}: entry bound to ${c.keyCwd}: ${entry.anchor.why}`);
  }

  const blob = async (bytes: Buffer): Promise<string> => {
    const d = digestBytes(ctx.algorithm, bytes).hash;
    await ctx.cas.put(d, bytes);
    ctx.stats.bumpCache('bytes-stored', bytes.length);
    return d;
  };
  const outputs: OutputFile[] = [];
  for (const [i, o] of files.entries()) {
    const stored = o.role === 'depfile' && entry.depfile ? entry.depfile : { role: o.role, data: data[i]! };
    // Results name outputs from the working directory when the key does: they may serve other checkouts.
    const path = !entry.anchor && rebasable(o.path, ctx.baseDir) ? relative(c.keyCwd, o.path) : o.path;
    outputs.push({ role: stored.role, path, digest: await blob(stored.data), size: stored.data.length, mode: 0o644 });
  }
  const result: ActionResult = {
    schema: 1, outputs, stdoutDigest: await blob(r.stdout), stderrDigest: await blob(r.stderr), exitCode: 0,
    durationMs: r.durationMs, createdAt: new Date().toISOString(), sandboxed: false,
  };
  const anchor: CallDirs | undefined = entry.anchor && { cwd: entry.anchor.cwd, pwd: entry.anchor.pwd };
  const resultKey = gccResultKey(ctx.algorithm, direct.key, entry.inputs, entry.absentPaths, entry.present, anchor);
  await ctx.actions.put(resultKey, result);
  const manifestEntry: ManifestEntry = { inputs: entry.inputs, absent: entry.absent, present: entry.present, resultKey, ...(anchor ? { anchor } : {}) };
  await ctx.manifests.put(direct.key, addManifestEntry(await ctx.manifests.get(direct.key), manifestEntry));
  return manifestEntry;
}

/** A file whose content or metadata changed after the compile began may not be what the compiler read. */
function changedSince(path: string, startNs: bigint): boolean {
  try {
    const st = statSync(path, { bigint: true });
    return st.mtimeNs >= startNs || st.ctimeNs >= startNs;
  } catch {
    return true;
  }
}
