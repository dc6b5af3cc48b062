// A rustc miss filled on a REAPI executor (docs/remote-execution.md, "rustc"). rustc's
// outputs record absolute paths under their hashes, so the action runs with its input root at
// the host's own paths (build-rustc-action.ts). As for C (remote-fill-c.ts), the host answers
// first: the dependency pre-pass runs here over the host's read-only view with the lookup
// tracer, and the input root is the toolchain, every file it read, every file it found
// present and the --extern crates: what the local sandbox shows, plus the host's answer to
// every existence question. What it found absent joins the entry and is absent there too
// (the root holds nothing else). The compile's own dep-info proves it read only the root.
// Only a successful remote compile answers the caller; anything else is counted and filled
// locally (cached-rust-compile.ts).
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { RustToolIdentity } from '../../adapters/rustc/identify-rustc.js';
import type { Sandbox } from '../../exec/create-sandbox.js';
import { notPlaceable, notWritable } from '../../exec/remote/build-rustc-action.js';
import { fromExecutor } from '../../exec/remote/executor-own-files.js';
import { createRustcExecutor, type RemoteRustCompile } from '../../exec/remote/create-rustc-executor.js';
import type { LookupTrace } from '../../exec/parse-lookup-trace.js';
import type { BuiltKey } from '../../keying/key-builder.js';
import type { CacheContext } from '../cache-context.js';
import type { CallSink } from '../call-sink.js';
import { countStored } from '../driver/count-stored.js';
import { deliverRun } from '../driver/deliver-run.js';
import { platformOption, toolchainOf } from '../remote/configured-platform.js';
import { fallBack, heading, sendRemote } from '../remote/offer-remote.js';
import { provenBy } from '../remote/proven-by.js';
import type { RemoteExecution } from '../remote/types.js';
import type { RunOutcome } from '../store-compile.js';
import { under } from '../trace-coverage.js';
import { tracedScan } from '../traced-dep-scan.js';
import { directRunEnv, rustRunEnv, type RustCall } from './rust-call.js';
import { rustTraced, untracedWhat } from './rust-trace.js';
import { rustInputsFromDepInfo, type RustInputs } from './scan-rust-inputs.js';
import { storeRustCompile } from './store-rust-compile.js';

/** Crate types whose compile runs no linker and no host code: only they are sent. */
const SENDABLE_TYPES = new Set(['lib', 'rlib']);

/** True when the caller was answered from an executor; false: fill locally (the reason is counted). */
export async function fillRustRemotely(ctx: CacheContext, remote: RemoteExecution, sandbox: Sandbox, c: RustCall, direct: BuiltKey, tool: RustToolIdentity, targetDir: string | undefined, sink: CallSink): Promise<boolean> {
  const arrived = heading(remote); // counted against the executors' room from the decision (goesRemote, this turn)
  try {
    return await fillHeaded(ctx, remote, sandbox, c, direct, tool, targetDir, sink, arrived);
  } finally {
    arrived();
  }
}

async function fillHeaded(ctx: CacheContext, remote: RemoteExecution, sandbox: Sandbox, c: RustCall, direct: BuiltKey, tool: RustToolIdentity, targetDir: string | undefined, sink: CallSink, arrived: () => void): Promise<boolean> {
  const order = remote.order();
  const first = order[0]!;
  const label = `crate ${c.job.crateName} (${c.job.source}) in ${c.cwd}`;
  // An executor with the toolchain in its image runs the image's rustc by its host path: rustc's own place does not matter there.
  const notSendable = whyNotSendable(c, tool, order.some((t) => t.spec.toolchain === 'image'));
  if (notSendable) return (fallBack(ctx, first, 'not-sendable', `${label}: ${notSendable}`), false);

  const scan = await tracedRustScan(ctx, sandbox, c, tool, sink.signal);
  if (sink.signal.aborted) return (sink.abandon(), true);
  if (typeof scan === 'string') return (fallBack(ctx, first, 'not-learned', `${label}: ${scan}`), false);
  const toolchain = ctx.rust.toolchain(tool);
  const abs = (p: string): string => resolve(c.cwd, p);
  const outputs = c.job.outputs.map((o) => abs(o.path));
  const traced = rustTraced(scan.trace, scan.learned, { toolchain, own: [...outputs, sandbox.scratchDir], outDirs: [...new Set(outputs.map(dirname))], env: rustRunEnv(c.env), cwd: c.cwd, searchDirs: c.job.searchDirs.map((d) => abs(d.path)) });
  if (traced.kind !== 'ok') return (fallBack(ctx, first, 'not-learned', `${label}: in the pre-pass ${untracedWhat(traced)}`), false);
  const learned = traced.learned;
  const externs = c.job.externs.flatMap((x) => (x.path === undefined ? [] : [abs(x.path)]));
  const found = foundPresent(scan.trace, { toolchain, sysroot: tool.sysroot, own: [...outputs, sandbox.scratchDir] });
  const inputs = [...new Set([...learned.reads, ...externs, ...found.files])];
  const unplaceable = inputs.map(notPlaceable).find((w) => w !== undefined);
  if (unplaceable) return (fallBack(ctx, first, 'not-sendable', `${label}: ${unplaceable}`), false);
  // A directory the host has and the root would not (nothing sent under it) would be absent there.
  const keptDirs = [c.cwd, ...outputs.map(dirname)];
  const sentPaths = [...inputs, ...toolchain];
  const empty = found.dirs.find((d) => !sentPaths.some((p) => p.startsWith(`${d}/`)) && !keptDirs.some((k) => under(k, [d])));
  if (empty) return (fallBack(ctx, first, 'not-sendable', `${label}: it found the directory ${empty}, which would be empty on the executor`), false);

  const depInfo = c.job.outputs.find((o) => o.role === 'dep-info')!.path;
  const action: RemoteRustCompile = {
    rustc: tool.rustc,
    sysroot: tool.sysroot,
    args: [...c.job.runArgs, ...c.terminalArgs],
    cwd: c.cwd,
    // Exactly the variables the compile reads, with the caller's values (an unset one stays unset), or the launcher's (directRunEnv).
    env: new Map(learned.env.flatMap((e) => {
      const v = tool.launcher && e.name in tool.launcher.set ? (tool.launcher.set[e.name] ?? null) : e.value;
      return v === null ? [] : [[e.name, v] as const];
    })),
    toolchain,
    inputs,
    outputs,
    depInfo,
  };
  const answer = await sendRemote(ctx, remote, order, {
    kind: 'rustc',
    make: (name, client, observer) => createRustcExecutor(name, client, { observer, memo: remote.digests, ...platformOption(remote, name), toolchainIn: toolchainOf(remote, name) }),
    action,
    label: `${c.tool} ${label}`,
    arrived,
    lacks: (result) => outputs.find((o) => !result.outputs.has(o)),
  }, sink);
  if (answer.kind !== 'completed') return false;
  if (sink.signal.aborted) return (sink.abandon(), true);
  sink.ranHidden();
  const data = outputs.map((o) => {
    const got = answer.result.outputs.get(o)!;
    // rustc writes rlibs and rmetas 0644 under the usual umask; the caller's umask applies when they are written.
    return { data: got.data, mode: got.isExecutable ? 0o755 : 0o644 };
  });
  const r: RunOutcome = { code: 0, signal: 0, stdout: answer.result.stdout, stderr: answer.result.stderr, startedAtNs: learned.startedAtNs, durationMs: Math.round(answer.result.timings.executeMs) };
  try {
    // Stored as sandboxed (shareable) only from an executor trusted to run exactly the input root, toolchain included, in a sandbox.
    if (answer.target.spec.toolchain === 'image') ctx.stats.bumpExecutor(answer.target.name, 'image-unproven');
    const trusted = provenBy(answer.target.spec);
    countStored(ctx, c, direct, await storeRustCompile(ctx, c, direct, r, learned, data, trusted, targetDir, answer.target.name));
  } catch (e) {
    ctx.stats.bumpCache('store-error');
    ctx.log.warn(`${c.tool}: not stored: ${(e as Error).message}`);
  }
  deliverRun(c.job.outputs.map((o, i) => ({ path: outputs[i]!, data: data[i]!.data, executable: (data[i]!.mode & 0o111) !== 0 })), r, c.umask, sink);
  return true;
}

/**
 * Why this compile cannot be shown to give bare rustc's bytes on an executor, from its call
 * alone: a link runs the host's cc and linker, a proc-macro crate runs host code that may read
 * anything, the host CPU and native libraries are inputs no root shows, and without dep-info
 * nothing proves what it read (adding it would change the rlib and rmeta).
 */
function whyNotSendable(c: RustCall, tool: RustToolIdentity, fromImage: boolean): string | undefined {
  const odd = c.job.crateTypes.find((t) => !SENDABLE_TYPES.has(t));
  if (odd) return `crate type ${odd} (it links, or runs host code)`;
  if (c.job.links) return 'it links';
  if (!c.job.outputs.some((o) => o.role === 'dep-info')) return 'it asks for no dep-info, which would prove what it read';
  const so = c.job.externs.find((x) => x.path?.endsWith('.so'));
  if (so) return `--extern ${so.name}=${so.path} is a shared object (a proc-macro: host code)`;
  if (c.job.nativeCpu) return '-C target-cpu=native names the host CPU';
  if (c.job.nativeLibs.length > 0) return `-l ${c.job.nativeLibs[0]!.name}: a native library`;
  // A search directory in the executor's own directories could offer crates the host does not have.
  const search = c.job.searchDirs.map((d) => notWritable(resolve(c.cwd, d.path))).find((w) => w !== undefined);
  return (fromImage ? undefined : notPlaceable(tool.rustc) ?? notPlaceable(join(tool.sysroot, 'lib', 'rustlib'))) ?? (search && `-L: ${search}`);
}

/**
 * The pre-pass (scan-rust-inputs.ts's `--emit=dep-info -Z binary-dep-depinfo`) over the host's
 * read-only view with the lookup tracer preloaded, as tracedDepScan runs C's.
 */
async function tracedRustScan(ctx: CacheContext, sandbox: Sandbox, c: RustCall, tool: RustToolIdentity, signal: AbortSignal): Promise<{ learned: RustInputs; trace: LookupTrace } | string> {
  const env = directRunEnv(c.env, tool);
  env.set('RUSTC_BOOTSTRAP', '1');
  const scan = await tracedScan(ctx, sandbox, { toolPath: tool.rustc, args: (depfile) => [...c.job.scanArgs, `--emit=dep-info=${depfile}`, '-Z', 'binary-dep-depinfo'], cwd: c.cwd, env, umask: c.umask }, signal);
  if (scan.kind === 'failed') return scan.why;
  try {
    const learned = await rustInputsFromDepInfo(ctx, c, tool, scan.depText, scan.startedAtNs);
    return typeof learned === 'string' ? learned : { learned, trace: scan.trace };
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Every path the pre-pass found present outside the toolchain, what the executor answers for
 * itself (glibc, the loader's and locale files, /etc: taken on trust as for every action), /tmp
 * and its own scratch: regular files go in the root; directories must hold something sent.
 */
function foundPresent(t: LookupTrace, opts: { toolchain: readonly string[]; sysroot: string; own: readonly string[] }): { files: string[]; dirs: string[] } {
  const skip = [...opts.toolchain, ...opts.own, '/proc', '/dev', '/sys'];
  const files = new Set<string>();
  const dirs = new Set<string>();
  for (const m of [t.reads, t.looks, t.listed]) {
    for (const [p, a] of m) {
      if (a !== 'found' || p === '/' || under(p, skip) || notPlaceable(p) !== undefined || fromExecutor(p) || t.writes.get(p) === 'found') continue;
      const st = statSync(p, { throwIfNoEntry: false });
      if (st?.isFile()) files.add(p);
      else if (st?.isDirectory() && !under(p, [opts.sysroot]) && !under(opts.sysroot, [p])) dirs.add(p);
    }
  }
  return { files: [...files], dirs: [...dirs] };
}
