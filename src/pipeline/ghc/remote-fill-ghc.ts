// A `ghc -c` miss filled on a REAPI executor (docs/remote-execution.md, "GHC"). ghc has no
// pre-pass, so the module goes with a guessed root (ghc-root-files.ts) to an executor trusted
// to run it in a sandbox and to report its lookup trace (`reprise serve --execute`), and its
// result is taken only when that trace proves every answer the compile got there is the
// host's (verify-ghc-remote.ts). It is then stored as a local fill's would be, under what the
// trace says it read. Anything else is counted and the module compiles here (fill-ghc.ts).
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { emptyByDesign, writeOrder } from '../../adapters/ghc/ghc-outputs.js';
import { unwrapGhc } from '../../adapters/ghc/unwrap-ghc.js';
import { notPlaceableAtSlash } from '../../exec/remote/build-root-at-slash-action.js';
import { shebang } from '../../exec/toolchain-files.js';
import { ghcHostTools } from './ghc-host-tools.js';
import { createGhcExecutor, GHC_TRACE_FILE, type RemoteGhcCompile } from '../../exec/remote/create-ghc-executor.js';
import type { CacheContext } from '../cache-context.js';
import type { CallSink } from '../call-sink.js';
import { countStored } from '../driver/count-stored.js';
import { deliverRun } from '../driver/deliver-run.js';
import { fillEnvLeak } from '../fill-env-leak.js';
import { outputWritesSettled } from '../output-writes-settled.js';
import { platformOption, toolchainOf } from '../remote/configured-platform.js';
import { fallBack, heading, sendRemote } from '../remote/offer-remote.js';
import { provenBy } from '../remote/proven-by.js';
import type { RemoteExecution } from '../remote/types.js';
import type { RunOutcome } from '../store-compile.js';
import { windowStartNs } from '../window-start-ns.js';
import type { GhcCall, GhcKeyed } from './ghc-call.js';
import { homeFiles, packageDbs, toolchainFiles } from './ghc-root-files.js';
import type { GhcInputs } from './ghc-trace.js';
import { storeGhcCompile } from './store-ghc-compile.js';
import { dependentFiles, withTmpDirKeyed } from './tmp-dir-divergence.js';
import { verifyGhcRemote } from './verify-ghc-remote.js';

/** What the executor's tracer puts in the command's environment: a splice that embeds it did not see the caller's. */
const EXECUTOR_INJECTED = ['/.reprise-lookup-trace.so', GHC_TRACE_FILE];
/**
 * The caller's variables the action does not get: reprise's (a call with a preload of its own is
 * not sent). $TMPDIR goes as the caller's: ghc leaves out of an interface what CPP included from
 * there (tmp-dir-divergence.ts), and the root holds that directory.
 */
const NOT_SENT = /^(?:LD_PRELOAD|REPRISE_\w*)$/;

/** True when the caller was answered from an executor; false: fill locally (the reason is counted). Call it in the turn that decided it (goesRemote). */
export async function fillGhcRemotely(ctx: CacheContext, remote: RemoteExecution, c: GhcCall, k: GhcKeyed, sink: CallSink): Promise<boolean> {
  const arrived = heading(remote);
  try {
    return await fillHeaded(ctx, remote, c, k, sink, arrived);
  } finally {
    arrived();
  }
}

async function fillHeaded(ctx: CacheContext, remote: RemoteExecution, c: GhcCall, k: GhcKeyed, sink: CallSink, arrived: () => void): Promise<boolean> {
  const order = remote.order();
  const label = `${c.tool} ${c.job.source} in ${c.cwd}`;
  // Only a trace proves a ghc compile: executors trusted to run exactly the root, which the toolchain travels in, and not known not to trace.
  const tracing = order.filter((t) => provenBy(t.spec) && toolchainOf(remote, t.name) === 'action' && t.traces !== false);
  if (tracing.length === 0) return (fallBack(ctx, order[0]!, 'not-sendable', `${label}: a ghc compile is proven only by a trusted executor's lookup trace`), false);
  const first = tracing[0]!;
  // The executor preloads its tracer alone: a caller's own preload or audit library would not run there.
  const loader = ['LD_PRELOAD', 'LD_AUDIT'].find((n) => c.env.get(n));
  if (loader) return (fallBack(ctx, first, 'not-sendable', `${label}: ${loader} is set`), false);
  // A wrapper script runs what it would (Debian's /usr/bin/ghc): the executor's shell is not ghc's to read.
  const run = shebang(c.toolPath) === undefined && notPlaceableAtSlash(c.toolPath) === undefined ? { program: c.toolPath, args: [] } : unwrapGhc(c.toolPath, k.tool.libDir);
  if (!run) return (fallBack(ctx, first, 'not-sendable', `${label}: ${c.toolPath} cannot be placed on the executor, or is a script that is not ghc's own wrapper`), false);
  const outputs = k.outputs.map((o) => resolve(c.cwd, o.path));
  let files: string[];
  let presentDirs: string[] = [];
  try {
    const version = /\("Project version","([^"]+)"\)/.exec(k.tool.info)?.[1] ?? '';
    // The module's old outputs stay out, as the local fill hides them: ghc would read its old interface, and could not replace a file of the root.
    const old = new Set(outputs);
    const host = await ghcHostTools(k.tool.info, run.program, c.env);
    presentDirs = host.dirs;
    files = [...new Set([run.program, ...host.files, ...toolchainFiles(k.tool.libDir, packageDbs(c.job.runArgs, c.cwd, k.tool.libDir, version), c.job.runArgs), ...homeFiles(c).filter((f) => !old.has(f))])];
  } catch (e) {
    // Too many files in the home package's directories, or one unreadable: the guess cannot be made.
    return (fallBack(ctx, first, 'not-sendable', `${label}: ${(e as Error).message}`), false);
  }
  // A file read is checked against what was sent, and then must not change after this moment (storeGhcCompile).
  await outputWritesSettled();
  const startedAtNs = windowStartNs();
  const action: RemoteGhcCompile = {
    toolPath: run.program,
    args: [...run.args, ...c.job.runArgs, ...c.terminalArgs],
    cwd: c.cwd,
    env: new Map([...c.env].filter(([n]) => !NOT_SENT.test(n))),
    files,
    outputs,
    // ghc makes its temporary directory under the caller's $TMPDIR (the executor's /tmp is its own, and holds only what the root places there).
    dirs: [c.env.get('TMPDIR') ?? '/tmp'].filter((d) => d.startsWith('/') && resolve(d) !== '/tmp'),
    presentDirs,
  };
  ctx.stats.bumpExecutor(first.name, 'guessed');
  let learned: GhcInputs | undefined;
  const answer = await sendRemote(ctx, remote, tracing, {
    kind: 'ghc',
    make: (name, client, observer) => createGhcExecutor(name, client, { observer, memo: remote.digests, ...platformOption(remote, name) }),
    action,
    label,
    arrived,
    lacks: (result) => outputs.find((o, i) => !result.outputs.has(o) && !emptyByDesign(c.job, k.outputs[i]!)),
    proves: async (result) => {
      if (!result.lookups) return 'no lookup trace came back';
      const leaked = fillEnvLeak(EXECUTOR_INJECTED, [result.stdout, result.stderr, ...outputs.map((o) => result.outputs.get(o)?.data ?? Buffer.alloc(0))]);
      if (leaked !== undefined) return `an output holds ${leaked}, which only the executor's environment had`;
      const proof = await verifyGhcRemote(ctx, c, k, result.lookups, outputs, remote.digests);
      if (proof.kind === 'unproven') return proof.why;
      learned = proof.learned;
      return undefined;
    },
  }, sink);
  if (answer.kind !== 'completed') return false;
  if (sink.signal.aborted) return (sink.abandon(), true);
  sink.ranHidden();
  const data = outputs.map((o) => answer.result.outputs.get(o)?.data ?? Buffer.alloc(0));
  const r: RunOutcome = { code: 0, signal: 0, stdout: answer.result.stdout, stderr: answer.result.stderr, startedAtNs, durationMs: Math.round(answer.result.timings.executeMs) };
  try {
    const stored = await storeGhcCompile(ctx, k, r, withTmpDirKeyed(learned!, c, dependentFiles(k, data)), data);
    countStored(ctx, c, k.key, typeof stored === 'string' ? stored : { resultKey: stored.entry.resultKey });
  } catch (e) {
    ctx.stats.bumpCache('store-error');
    ctx.log.warn(`${c.tool}: not stored: ${(e as Error).message}`);
  }
  for (const o of outputs) mkdirSync(dirname(o), { recursive: true }); // as ghc makes them
  deliverRun(writeOrder(k.outputs).map((i) => ({ path: outputs[i]!, data: data[i]! })), r, c.umask, sink);
  return true;
}
