import { rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { LinkerIdentity } from '../../adapters/rustc/identify-linker.js';
import type { RustToolIdentity } from '../../adapters/rustc/identify-rustc.js';
import type { RustcUncacheableReason } from '../../adapters/rustc/types.js';
import type { Sandbox } from '../../exec/create-sandbox.js';
import type { BuiltKey } from '../../keying/key-builder.js';
import type { CacheContext } from '../cache-context.js';
import type { CallSink } from '../call-sink.js';
import { matchManifestEntry } from '../manifest.js';
import { replay, type PlaceOutput } from '../replay.js';
import type { SandboxRun } from '../run-in-sandbox.js';
import type { RunOutcome } from '../store-compile.js';
import type { PipelineUncacheableReason } from '../uncacheable-reasons.js';
import { verifyHit, verifyWanted } from '../verify-hit.js';
import { writeOutput } from '../write-output.js';
import { runForCaller } from '../run-for-caller.js';
import { scratchReady } from '../scratch-ready.js';
import { rustRunEnv, type RustCall } from './rust-call.js';
import { rustKeyFor } from './rust-key-for.js';
import { linkDepsArgs, readLinked, readOutputs, runRustInSandbox, type RustOutputData } from './run-rust-in-sandbox.js';
import { scanRustInputs, type RustInputs } from './scan-rust-inputs.js';
import { runRustOnHost } from './run-rust-on-host.js';
import { storeRustCompile } from './store-rust-compile.js';
import { renderTarget } from './target-template.js';
import { packageInputs } from './package-inputs.js';
import { parseRustDepInfo } from '../../adapters/rustc/parse-rust-depinfo.js';
import { CRATE_FILE, rememberCrates } from './crate-deps.js';
import { storedResolver } from '../stored-path.js';

type Reason = PipelineUncacheableReason | RustcUncacheableReason;

/**
 * One cacheable rustc compile, start to end, as cachedCompile is for C: identify the
 * toolchain → digest the crate root and the extern crates → direct key → manifest (every
 * file and variable the compile read) → result → replay; otherwise a dependency pre-pass
 * lists the inputs, rustc runs once per key at a time in the sandbox, and the result is
 * stored and delivered. Every early exit names a statistic.
 */
export async function cachedRustCompile(ctx: CacheContext, c: RustCall, sink: CallSink): Promise<void> {
  const keyed = await rustKeyFor(ctx, c);
  if (keyed.kind === 'uncacheable') {
    if (keyed.why) ctx.log.debug(`${c.tool}: ${keyed.reason}: ${keyed.why}`);
    return compileRustUncached(ctx, c, sink, keyed.reason);
  }
  const { key, tool, linker, targetDir } = keyed;
  await ctx.flight(key.key, async () => {
    if (await tryHit(ctx, c, key, tool, linker, targetDir, sink)) return;
    await compileAndStore(ctx, c, key, tool, linker, targetDir, sink);
  });
}

async function tryHit(ctx: CacheContext, c: RustCall, direct: BuiltKey, tool: RustToolIdentity, linker: LinkerIdentity | undefined, targetDir: string | undefined, sink: CallSink): Promise<boolean> {
  try {
    const manifest = await ctx.manifests.get(direct.key);
    if (!manifest) return false;
    // Entries spell paths under the target directory from it ($PWD): each caller's own.
    const dirs = { cwd: c.cwd, pwd: targetDir ?? c.keyCwd };
    const entry = await matchManifestEntry(manifest, ctx.rust.files, dirs, c.env);
    if (!entry) return false;
    const { resultKey } = entry;
    const result = await ctx.actions.get(resultKey);
    if (!result || result.outputs.length !== c.job.outputs.length) return false;
    if (ctx.sandbox && !result.sandboxed) return false;
    if (result.targetRelative && targetDir === undefined) return false;
    const render = result.targetRelative ? (b: Buffer) => renderTarget(b, targetDir!) : undefined;
    const replayed = await replay(result, ctx.cas, ctx.algorithm, placeOutputs(c, render), c.umask, sink, render);
    if (!replayed) return false;
    const at = storedResolver(dirs);
    const crates = entry.inputs.flatMap((i) => (CRATE_FILE.test(i.path) ? [at(i.path)] : []));
    rememberCrates(ctx.rust.crateDeps, c.cwd, c.job.outputs.map((o, i) => ({ path: o.path, digest: result.outputs[i]!.digest })), crates);
    ctx.stats.bumpTool(c.tool, 'direct-hit');
    ctx.stats.bumpCache('time-saved-ms', result.durationMs);
    ctx.why.hit(c, direct, resultKey);
    // Verified before the exit, so a build under `reprise verify` ends with its report complete.
    if (verifyWanted(ctx, c)) await verifyHit(ctx, c, resultKey, replayed, (sandbox, signal) => recompile(ctx, sandbox, c, tool, linker, signal), sink.signal);
    sink.exit(replayed.exitCode, 0);
    return true;
  } catch (e) {
    ctx.stats.bumpCache('store-error');
    ctx.log.warn(`lookup failed, compiling: ${(e as Error).message}`);
    return false;
  }
}

/**
 * A hit compiled again for verify mode: rustc over the host's view (runRustOnHost), or where
 * that cannot be had as a fill would be (the pre-pass, then rustc in its sandbox), with
 * nothing stored and nothing written where the caller looks.
 */
async function recompile(ctx: CacheContext, sandbox: Sandbox, c: RustCall, tool: RustToolIdentity, linker: LinkerIdentity | undefined, signal: AbortSignal): Promise<SandboxRun | string> {
  if (!scratchReady(ctx)) return `cannot create ${ctx.scratchDir}`;
  const onHost = await runRustOnHost(ctx, sandbox, c, tool, signal);
  if (onHost) return onHost;
  const learned = await scanRustInputs(ctx, c, tool, signal);
  if (typeof learned === 'string') return learned;
  const ran = await runRustInSandbox(ctx, sandbox, c, tool, linker, learned, signal, false);
  if (ran.kind === 'sandbox-error') return ran;
  const ok = ran.outcome.code === 0 && ran.outcome.signal === 0;
  if (ok && !ran.outputs) return 'missing-output';
  return { kind: 'ran', outcome: ran.outcome, data: ran.outputs?.map((o) => o.data) ?? [] };
}

/** Each stored output goes where this call asks for the output of the same role; a templated dep-info is rendered for the caller's target directory. */
function placeOutputs(c: RustCall, render: ((b: Buffer) => Buffer) | undefined): PlaceOutput {
  return (o, i, data) => {
    const w = c.job.outputs[i];
    if (!w || w.role !== o.role) return undefined;
    return { path: resolve(c.cwd, w.path), data: render && o.role === 'dep-info' ? render(data) : data };
  };
}

/** Runs rustc for the caller (streaming), the caller's rustc as named. Undefined when the caller has been answered already. */
function run(ctx: CacheContext, c: RustCall, toolPath: string, sink: CallSink, extraArgs: string[] = []): Promise<RunOutcome | undefined> {
  return runForCaller(ctx, { tool: c.tool, toolPath, args: [...c.job.runArgs, ...c.terminalArgs, ...extraArgs], cwd: c.cwd, env: rustRunEnv(c.env), umask: c.umask }, sink);
}

/** Runs the compile for the caller without storing it, counting why (or that it failed). */
async function runCounted(ctx: CacheContext, c: RustCall, sink: CallSink, reason: Reason, direct?: BuiltKey): Promise<void> {
  const r = await run(ctx, c, c.toolPath, sink);
  if (!r) return;
  if (r.code !== 0 || r.signal !== 0) ctx.stats.bumpTool(c.tool, 'tool-failed');
  else {
    ctx.stats.uncacheable(c.tool, reason);
    if (direct) ctx.why.notStored(c, direct, reason);
  }
  sink.exit(r.code, r.signal);
}

/** Runs the compile without storing anything, counting why. */
export async function compileRustUncached(ctx: CacheContext, c: RustCall, sink: CallSink, reason: Reason): Promise<void> {
  ctx.stats.uncacheable(c.tool, reason);
  const r = await run(ctx, c, c.toolPath, sink);
  if (!r) return;
  if (r.code !== 0 || r.signal !== 0) ctx.stats.bumpTool(c.tool, 'tool-failed');
  sink.exit(r.code, r.signal);
}

async function compileAndStore(ctx: CacheContext, c: RustCall, direct: BuiltKey, tool: RustToolIdentity, linker: LinkerIdentity | undefined, targetDir: string | undefined, sink: CallSink): Promise<void> {
  if (!scratchReady(ctx)) {
    ctx.stats.bumpCache('store-error');
    return runCounted(ctx, c, sink, 'sandbox-error', direct);
  }
  let sandbox: Sandbox | undefined;
  if (ctx.sandbox) {
    const status = await ctx.sandbox.status();
    if (!status.ok) return runCounted(ctx, c, sink, 'sandbox-unavailable', direct);
    sandbox = ctx.sandbox;
  }
  if (sandbox) {
    const known = await packageInputs(ctx, c);
    if (known && (await compilePackaged(ctx, sandbox, c, direct, tool, linker, known, targetDir, sink))) return;
  }
  const learned = await scanRustInputs(ctx, c, tool, sink.signal);
  if (sink.signal.aborted) return sink.abandon();
  if (typeof learned === 'string') return runCounted(ctx, c, sink, learned, direct);
  if (sandbox) return compileSandboxed(ctx, sandbox, c, direct, tool, linker, learned, targetDir, sink);
  return compileUnsandboxed(ctx, c, direct, tool, linker !== undefined, learned, targetDir, sink);
}

/**
 * The hermetic fill: rustc runs in a sandbox that shows only what the pre-pass declared,
 * and only then is anything stored or given to the caller. A compile that fails inside runs
 * again outside, and the caller gets exactly that run: when it succeeds there, the compile
 * read something the key does not cover (sandbox-violation).
 */
async function compileSandboxed(ctx: CacheContext, sandbox: Sandbox, c: RustCall, direct: BuiltKey, tool: RustToolIdentity, linker: LinkerIdentity | undefined, learned: RustInputs, targetDir: string | undefined, sink: CallSink): Promise<void> {
  // A path the view hid and the host has (a dependency's source rustc quotes in a message,
  // a file a proc-macro reads) is shown and keyed, and the fill runs again: at most twice.
  for (let attempt = 0; ; attempt++) {
    const ran = await runRustInSandbox(ctx, sandbox, c, tool, linker, learned, sink.signal);
    if (ran.kind === 'ran') sink.ranHidden();
    if (sink.signal.aborted) return sink.abandon();
    if (ran.kind === 'sandbox-error') {
      ctx.log.warn(`${c.tool}: sandbox error, compiling outside it: ${ran.why}`);
      return runCounted(ctx, c, sink, 'sandbox-error', direct);
    }
    const r = ran.outcome;
    if (r.code !== 0 || r.signal !== 0) return afterSandboxFailure(ctx, c, direct, r, sink);
    if (!ran.outputs) return runCounted(ctx, c, sink, 'missing-output', direct);
    const traced = ran.trace ?? { kind: 'incomplete' };
    if (traced.kind === 'ok') return storeAndDeliver(ctx, c, direct, tool, linker, traced.learned, r, ran.outputs, ran.linked, targetDir, sink);
    const shown = traced.kind === 'hid' && attempt < 2 ? await withShown(ctx, learned, traced.paths) : undefined;
    if (!shown) {
      // What the view hid may have decided what rustc compiled: the caller gets a run outside.
      if (traced.kind === 'hid') ctx.log.info(`${c.tool}: crate ${c.job.crateName}: not stored: it looked for ${traced.paths[0]}, which the view hid`);
      return runCounted(ctx, c, sink, traced.kind === 'hid' ? 'view-hid-path' : 'trace-incomplete', direct);
    }
    ctx.log.debug(`${c.tool}: crate ${c.job.crateName}: the view hid ${traced.kind === 'hid' ? traced.paths.join(', ') : ''}; shown and keyed, filling again`);
    learned = shown;
  }
}

/** The inputs with these files added (shown and digested); undefined when one is not a regular file or cannot be read. */
async function withShown(ctx: CacheContext, learned: RustInputs, paths: readonly string[]): Promise<RustInputs | undefined> {
  const inputs = [...learned.inputs];
  for (const path of paths) {
    if (!statSync(path, { throwIfNoEntry: false })?.isFile()) return undefined;
    const d = await ctx.rust.files.digest(path);
    if (!d) return undefined;
    inputs.push({ path, digest: d.digest.hash });
  }
  return { ...learned, reads: [...learned.reads, ...paths], inputs };
}

/**
 * A packaged crate's fill without the pre-pass: rustc runs in the sandbox with the whole
 * package and the crates its externs were compiled against (package-inputs.ts), all of
 * them in the key, and its own dep-info gives the variables it read. False when that did
 * not go through (it failed inside, which may be a read past what was shown, or its
 * dep-info names a file outside the key): nothing has reached the caller, and the fill
 * with the pre-pass runs.
 */
async function compilePackaged(ctx: CacheContext, sandbox: Sandbox, c: RustCall, direct: BuiltKey, tool: RustToolIdentity, linker: LinkerIdentity | undefined, packaged: RustInputs, targetDir: string | undefined, sink: CallSink): Promise<boolean> {
  let known = packaged;
  let ran = await runRustInSandbox(ctx, sandbox, c, tool, linker, known, sink.signal);
  // Files the view hid that the host has (a dependency's source rustc looks up): shown and keyed, once, rather than a pre-pass and two more fills.
  if (ran.kind === 'ran' && ran.trace?.kind === 'hid' && !sink.signal.aborted) {
    const shown = await withShown(ctx, known, ran.trace.paths);
    if (shown) {
      ctx.log.debug(`${c.tool}: crate ${c.job.crateName}: the view hid ${ran.trace.paths.join(', ')}; shown and keyed, filling again`);
      known = shown;
      ran = await runRustInSandbox(ctx, sandbox, c, tool, linker, known, sink.signal);
    }
  }
  if (sink.signal.aborted) {
    sink.abandon();
    return true;
  }
  const why = (what: string): false => (ctx.log.debug(`${c.tool}: crate ${c.job.crateName}: the package fill did not go through (${what}); running the pre-pass`), false);
  if (ran.kind === 'sandbox-error') return why(ran.why);
  if (ran.outcome.code !== 0 || ran.outcome.signal !== 0 || !ran.outputs) return why(`exit ${ran.outcome.code}`);
  if (ran.trace?.kind !== 'ok') return why(ran.trace?.kind === 'hid' ? `it looked for ${ran.trace.paths[0]}, which the view hid` : 'its lookup trace is incomplete');
  sink.ranHidden();
  const at = c.job.outputs.findIndex((o) => o.role === 'dep-info');
  const info = at < 0 ? undefined : parseRustDepInfo(ran.outputs[at]!.data.toString('utf8'));
  if (!info) return why('no dep-info');
  const keyed = new Set(known.inputs.map((i) => i.path));
  const outside = info.files.map((f) => resolve(c.cwd, f)).find((f) => !keyed.has(f));
  if (outside) return why(`its dep-info names ${outside}`);
  const fromInfo = info.env.map((e) => ({ name: e.name, value: c.env.get(e.name) ?? null }));
  const traced = ran.trace.learned;
  const learned: RustInputs = { ...traced, env: [...fromInfo, ...traced.env.filter((e) => !fromInfo.some((f) => f.name === e.name))] };
  ctx.log.debug(`${c.tool}: crate ${c.job.crateName}: filled from its package, no pre-pass`);
  await storeAndDeliver(ctx, c, direct, tool, linker, learned, ran.outcome, ran.outputs, ran.linked, targetDir, sink);
  return true;
}

/** A sandboxed compile that succeeded: stored (with what its link read), then given to the caller. */
async function storeAndDeliver(ctx: CacheContext, c: RustCall, direct: BuiltKey, tool: RustToolIdentity, linker: LinkerIdentity | undefined, learned: RustInputs, r: RunOutcome, outputs: RustOutputData[], linked: string[] | undefined, targetDir: string | undefined, sink: CallSink): Promise<void> {
  const all = linker ? await withLinked(ctx, c, tool, learned, linked) : learned;
  if (typeof all === 'string') {
    ctx.stats.uncacheable(c.tool, all);
    ctx.why.notStored(c, direct, all);
  } else await store(ctx, c, direct, r, all, outputs, true, targetDir);
  deliver(c, outputs, r, sink);
}

/** A compile that failed in the sandbox runs outside; if it succeeds there, the sandbox caught an undeclared read. */
async function afterSandboxFailure(ctx: CacheContext, c: RustCall, direct: BuiltKey, inside: RunOutcome, sink: CallSink): Promise<void> {
  const r = await run(ctx, c, c.toolPath, sink);
  if (!r) return;
  if (r.code !== 0 || r.signal !== 0) ctx.stats.bumpTool(c.tool, 'tool-failed');
  else {
    ctx.stats.uncacheable(c.tool, 'sandbox-violation');
    const first = firstError(inside.stderr) ?? `exit ${inside.code}`;
    ctx.log.warn(`sandbox-violation: ${c.tool} ${c.job.source} (crate ${c.job.crateName}) in ${c.cwd} (inside the sandbox: ${first})`);
    ctx.why.notStored(c, direct, 'sandbox-violation');
  }
  sink.exit(r.code, r.signal);
}

/** The first error message in rustc's output, human or JSON. */
function firstError(stderr: Buffer): string | undefined {
  for (const line of stderr.toString('utf8').split('\n')) {
    if (line.startsWith('{')) {
      try {
        const m = JSON.parse(line) as { level?: string; message?: string };
        if (m.level === 'error' && m.message) return m.message;
      } catch {
        /* not JSON */
      }
    } else if (/error/i.test(line)) return line.trim();
  }
  return undefined;
}

/** REPRISE_SANDBOX=off: rustc runs in place, its outputs are read back and stored marked unsandboxed. */
async function compileUnsandboxed(ctx: CacheContext, c: RustCall, direct: BuiltKey, tool: RustToolIdentity, links: boolean, learned: RustInputs, targetDir: string | undefined, sink: CallSink): Promise<void> {
  const link = links ? linkDepsArgs(c) : undefined;
  const r = await run(ctx, c, c.toolPath, sink, link?.args);
  if (!r) return;
  const linked = link && readLinked(link.file);
  if (link) rmSync(link.file, { force: true });
  try {
    if (r.code !== 0 || r.signal !== 0) {
      ctx.stats.bumpTool(c.tool, 'tool-failed');
      return;
    }
    r.startedAtNs = learned.startedAtNs;
    const data = readOutputs(c.job.outputs.map((o) => resolve(c.cwd, o.path)));
    if (!data) {
      ctx.stats.uncacheable(c.tool, 'missing-output');
      ctx.why.notStored(c, direct, 'missing-output');
      return;
    }
    const all = link ? await withLinked(ctx, c, tool, learned, linked) : learned;
    if (typeof all === 'string') {
      ctx.stats.uncacheable(c.tool, all);
      ctx.why.notStored(c, direct, all);
    } else await store(ctx, c, direct, r, all, data, false, targetDir);
  } finally {
    sink.exit(r.code, r.signal);
  }
}

async function store(ctx: CacheContext, c: RustCall, direct: BuiltKey, r: RunOutcome, learned: RustInputs, data: RustOutputData[], sandboxed: boolean, targetDir: string | undefined): Promise<void> {
  try {
    const stored = await storeRustCompile(ctx, c, direct, r, learned, data, sandboxed, targetDir);
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
  }
}

/**
 * The pre-pass's inputs plus what the linker linked: crt objects, libc, libgcc, the rlibs
 * (each digested; the sysroot's are in the tool identity). Files rustc wrote itself in an
 * output directory or /tmp (codegen units, symbols.o) are temporaries, not inputs: the
 * sandbox shows nothing undeclared there.
 */
async function withLinked(ctx: CacheContext, c: RustCall, tool: RustToolIdentity, learned: RustInputs, linked: string[] | undefined): Promise<RustInputs | Reason> {
  if (!linked) return 'no-link-deps';
  const rustlib = `${tool.sysroot.replace(/\/+$/, '')}/lib/rustlib/`;
  // rustc keeps its temporaries in the output directory (newer) or in $TMPDIR (older): private to the run.
  const tmp = c.env.get('TMPDIR');
  const outDirs = new Set([...c.job.outputs.map((o) => dirname(resolve(c.cwd, o.path))), '/tmp', ...(tmp?.startsWith('/') ? [resolve(tmp)] : [])]);
  const known = new Set(learned.inputs.map((i) => i.path));
  const declared = new Set(learned.reads);
  const inputs = [...learned.inputs];
  for (const f of linked) {
    const path = resolve(c.cwd, f);
    if (known.has(path) || path.startsWith(rustlib)) continue;
    if (!declared.has(path) && [...outDirs].some((d) => path.startsWith(`${d}/`))) continue;
    const d = await ctx.rust.files.digest(path);
    if (!d) return 'input-vanished';
    known.add(path);
    inputs.push({ path, digest: d.digest.hash });
  }
  return { ...learned, inputs };
}

/** The sandboxed compile's outputs, written where the caller asked, then its messages and exit. */
function deliver(c: RustCall, outputs: RustOutputData[], r: RunOutcome, sink: CallSink): void {
  c.job.outputs.forEach((o, i) => {
    const path = resolve(c.cwd, o.path);
    writeOutput(path, outputs[i]!.data, c.umask, !path.startsWith('/dev/'), (outputs[i]!.mode & 0o111) !== 0);
  });
  for (let i = 0; i < r.stdout.length; i += 1 << 20) sink.stdout(r.stdout.subarray(i, i + (1 << 20)));
  for (let i = 0; i < r.stderr.length; i += 1 << 20) sink.stderr(r.stderr.subarray(i, i + (1 << 20)));
  sink.exit(r.code, r.signal);
}
