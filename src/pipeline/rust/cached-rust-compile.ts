import { rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { LinkerIdentity } from '../../adapters/rustc/identify-linker.js';
import type { RustToolIdentity } from '../../adapters/rustc/identify-rustc.js';
import type { RustcUncacheableReason } from '../../adapters/rustc/types.js';
import type { Sandbox } from '../../exec/create-sandbox.js';
import type { BuiltKey } from '../../keying/key-builder.js';
import type { CacheContext } from '../cache-context.js';
import type { CallSink } from '../call-sink.js';
import type { SandboxRun } from '../run-in-sandbox.js';
import type { RunOutcome } from '../store-compile.js';
import type { PipelineUncacheableReason } from '../uncacheable-reasons.js';
import { runForCaller } from '../run-for-caller.js';
import { scratchReady } from '../scratch-ready.js';
import { afterSandboxFailure, runCounted } from '../driver/run-counted.js';
import { deliverRun } from '../driver/deliver-run.js';
import { countStored } from '../driver/count-stored.js';
import { rustRunEnv, type RustCall } from './rust-call.js';
import type { RustKeyed } from './rust-key-for.js';
import { linkDepsArgs, readLinked, readOutputs, runRustInSandbox, type RustOutputData } from './run-rust-in-sandbox.js';
import { scanRustInputs, type RustInputs } from './scan-rust-inputs.js';
import { runRustOnHost } from './run-rust-on-host.js';
import { storeRustCompile } from './store-rust-compile.js';
import { packageInputs } from './package-inputs.js';
import { goesRemote } from '../remote/offer-remote.js';
import { fillRustRemotely } from './remote-fill-rust.js';
import { parseRustDepInfo } from '../../adapters/rustc/parse-rust-depinfo.js';
import { untracedWhat, type RustTraced } from './rust-trace.js';

type Reason = PipelineUncacheableReason | RustcUncacheableReason;

/** Why a traced fill that did not come out `ok` is not stored (rust-trace.ts). */
const untracedReason: Record<Exclude<RustTraced['kind'], 'ok'>, Reason> = {
  hid: 'view-hid-path', listed: 'directory-listed', program: 'unkeyed-program', wrote: 'unexpected-output', embedded: 'unkeyed-env', environ: 'unkeyed-env', incomplete: 'trace-incomplete',
};

/**
 * A rustc miss (the Rust pipeline's fill, rust-pipeline.ts), inside its key's flight: a
 * packaged crate fills from its package; otherwise a dependency pre-pass lists the inputs,
 * rustc runs in the sandbox (or in place when it is off), and the result is stored and
 * delivered. Every early exit names a statistic.
 */
export async function fillRustCompile(ctx: CacheContext, c: RustCall, k: RustKeyed, sink: CallSink): Promise<void> {
  await compileAndStore(ctx, c, k.key, k.tool, k.linker, k.targetDir, sink);
}

/**
 * A hit compiled again for verify mode: rustc over the host's view (runRustOnHost), or where
 * that cannot be had as a fill would be (the pre-pass, then rustc in its sandbox), with
 * nothing stored and nothing written where the caller looks.
 */
export async function recompileRust(ctx: CacheContext, sandbox: Sandbox, c: RustCall, tool: RustToolIdentity, linker: LinkerIdentity | undefined, signal: AbortSignal): Promise<SandboxRun | string> {
  if (!scratchReady(ctx)) return `cannot create ${ctx.scratchDir}`;
  const onHost = await runRustOnHost(ctx, sandbox, c, tool, signal);
  if (onHost) return onHost;
  const learned = await scanRustInputs(ctx, c, tool, signal, sandbox);
  if (typeof learned === 'string') return learned;
  const ran = await runRustInSandbox(ctx, sandbox, c, tool, linker, learned, signal, false);
  if (ran.kind === 'sandbox-error') return ran;
  const ok = ran.outcome.code === 0 && ran.outcome.signal === 0;
  if (ok && !ran.outputs) return 'missing-output';
  return { kind: 'ran', outcome: ran.outcome, data: ran.outputs?.map((o) => o.data) ?? [] };
}

/** Runs rustc for the caller (streaming), the caller's rustc as named. Undefined when the caller has been answered already. */
function run(ctx: CacheContext, c: RustCall, toolPath: string, sink: CallSink, extraArgs: string[] = []): Promise<RunOutcome | undefined> {
  return runForCaller(ctx, { tool: c.tool, toolPath, args: [...c.job.runArgs, ...c.terminalArgs, ...extraArgs], cwd: c.cwd, env: rustRunEnv(c.env), umask: c.umask }, sink);
}

/** The caller's run of the compile, outside the sandbox, as it asked for it. */
function callerRun(ctx: CacheContext, c: RustCall, sink: CallSink): () => Promise<RunOutcome | undefined> {
  return () => run(ctx, c, c.toolPath, sink);
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
    return runCounted(ctx, c, callerRun(ctx, c, sink), sink, 'sandbox-error', direct);
  }
  let sandbox: Sandbox | undefined;
  if (ctx.sandbox) {
    const status = await ctx.sandbox.status();
    if (!status.ok) return runCounted(ctx, c, callerRun(ctx, c, sink), sink, 'sandbox-unavailable', direct);
    sandbox = ctx.sandbox;
  }
  // On an executor when the policy says so (remote-fill-rust.ts); anything but a good remote compile fills here.
  if (sandbox && ctx.remote && goesRemote(ctx.remote, sink) && (await fillRustRemotely(ctx, ctx.remote, sandbox, c, direct, tool, targetDir, sink))) return;
  if (sandbox) {
    const known = await packageInputs(ctx, c);
    if (known && (await compilePackaged(ctx, sandbox, c, direct, tool, linker, known, targetDir, sink))) return;
  }
  const learned = await scanRustInputs(ctx, c, tool, sink.signal, sandbox);
  if (sink.signal.aborted) return sink.abandon();
  if (typeof learned === 'string') return runCounted(ctx, c, callerRun(ctx, c, sink), sink, learned, direct);
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
      return runCounted(ctx, c, callerRun(ctx, c, sink), sink, 'sandbox-error', direct);
    }
    const r = ran.outcome;
    if (r.code !== 0 || r.signal !== 0) return afterSandboxFailure(ctx, c, callerRun(ctx, c, sink), sink, direct, () => violation(c, r));
    if (!ran.outputs) return runCounted(ctx, c, callerRun(ctx, c, sink), sink, 'missing-output', direct);
    const traced = ran.trace ?? { kind: 'incomplete' };
    if (traced.kind === 'ok') return storeAndDeliver(ctx, c, direct, tool, linker, traced.learned, r, ran.outputs, ran.linked, targetDir, sink);
    const shown = traced.kind === 'hid' && attempt < 2 ? await withShown(ctx, learned, traced.paths) : undefined;
    if (!shown) {
      // What the view hid may have decided what rustc compiled: the caller gets a run outside.
      if (traced.kind !== 'incomplete') ctx.log.info(`${c.tool}: crate ${c.job.crateName}: not stored: ${untracedWhat(traced)}`);
      return runCounted(ctx, c, callerRun(ctx, c, sink), sink, untracedReason[traced.kind], direct);
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
  if (ran.trace?.kind !== 'ok') return why(untracedWhat(ran.trace ?? { kind: 'incomplete' }));
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
  if (typeof all === 'string') countStored(ctx, c, direct, all);
  else await store(ctx, c, direct, r, all, outputs, true, targetDir);
  deliverRun(c.job.outputs.map((o, i) => ({ path: resolve(c.cwd, o.path), data: outputs[i]!.data, executable: (outputs[i]!.mode & 0o111) !== 0 })), r, c.umask, sink);
}

/** What a fill that failed inside and succeeded outside was, for the sandbox-violation warning. */
function violation(c: RustCall, inside: RunOutcome): string {
  const first = firstError(inside.stderr) ?? `exit ${inside.code}`;
  return `${c.tool} ${c.job.source} (crate ${c.job.crateName}) in ${c.cwd} (inside the sandbox: ${first})`;
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
    if (!data) return countStored(ctx, c, direct, 'missing-output');
    const all = link ? await withLinked(ctx, c, tool, learned, linked) : learned;
    if (typeof all === 'string') countStored(ctx, c, direct, all);
    else await store(ctx, c, direct, r, all, data, false, targetDir);
  } finally {
    sink.exit(r.code, r.signal);
  }
}

async function store(ctx: CacheContext, c: RustCall, direct: BuiltKey, r: RunOutcome, learned: RustInputs, data: RustOutputData[], sandboxed: boolean, targetDir: string | undefined): Promise<void> {
  try {
    countStored(ctx, c, direct, await storeRustCompile(ctx, c, direct, r, learned, data, sandboxed, targetDir));
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
