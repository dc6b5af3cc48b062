import { chmodSync, closeSync, openSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { GoToolJob } from '../../adapters/go/parse-go-tool.js';
import { buildView } from '../../exec/sandbox-view.js';
import type { ActionResult } from '../../store/types.js';
import type { CacheContext } from '../cache-context.js';
import { goFillEnv, goToolKey, type GoToolKey } from './go-tool-key.js';
import type { CallSlot } from '../call-sink.js';
import { goesRemote } from '../remote/offer-remote.js';
import { fillGoRemotely } from './remote-fill-go.js';
import { storeGoStep } from './store-go-step.js';
import { servableHere } from '../servable-here.js';
import { windowStartNs } from '../window-start-ns.js';

/** What the caller gets: the tool's output and exit, or "run it yourself" with why. */
export type GoToolOutcome =
  | { kind: 'done'; stdout: Buffer; stderr: Buffer; code: number }
  | { kind: 'run-yourself'; reason: string };

export interface GoToolCall {
  toolPath: string;
  cwd: string;
  umask: number;
  env: ReadonlyMap<string, string>;
  job: GoToolJob;
  signal: AbortSignal;
  /** The daemon job slot the call holds, lent while an executor runs its miss (remote-fill-go.ts). */
  slot?: CallSlot;
}

/**
 * One compile or asm step of a -toolexec build (docs/trust-model.md, "Go"): keyed by its
 * declared inputs, served from the store on a hit, and on a miss run in the sandbox where
 * exactly those inputs exist (a Go tool resolves imports through importcfg, and asm's
 * #include finds only the .h files keyed), stored as sandboxed, and delivered. A step that
 * fails in the sandbox, or cannot be keyed, runs on the host as it would without reprise.
 */
export async function cachedGoTool(ctx: CacheContext, c: GoToolCall): Promise<GoToolOutcome> {
  const startedAtNs = windowStartNs(); // the inputs must hold from their digests to the step's end
  const keyed = await goToolKey(ctx, c.toolPath, c.cwd, c.job, c.env);
  if (!keyed) return { kind: 'run-yourself', reason: 'go-input-unreadable' };
  // Identical steps at once (two builds) share one run; each caller writes its own outputs ($WORK differs).
  const r = await ctx.flight(keyed.key, () => served(ctx, c, keyed, startedAtNs));
  if (r.kind === 'run-yourself') return r;
  try {
    place(c.job.outputs, r.data, c.umask);
  } catch (e) {
    ctx.log.warn(`go ${c.job.tool}: cannot write its outputs: ${(e as Error).message}`);
    return { kind: 'run-yourself', reason: 'go-output-unwritable' };
  }
  return { kind: 'done', stdout: r.stdout, stderr: r.stderr, code: 0 };
}

export type Served = { kind: 'done'; data: Buffer[]; stdout: Buffer; stderr: Buffer } | { kind: 'run-yourself'; reason: string };

async function served(ctx: CacheContext, c: GoToolCall, keyed: GoToolKey, startedAtNs: bigint): Promise<Served> {
  const hit = await replay(ctx, keyed.key, c.job);
  if (hit) {
    ctx.stats.bumpTool('go', 'direct-hit');
    return hit;
  }
  const sandbox = ctx.sandbox;
  if (!sandbox) return { kind: 'run-yourself', reason: 'sandbox-unavailable' };
  // On an executor when the policy says so; anything but a good remote run fills here.
  const remote = ctx.remote;
  if (remote && goesRemote(remote, c)) {
    const there = await fillGoRemotely(ctx, remote, c, keyed, startedAtNs);
    if (there) return there;
  }
  await c.slot?.take();
  const tag = randomBytes(8).toString('hex');
  const scratch = c.job.outputs.map((_, i) => join(sandbox.scratchDir, `${tag}-go-${i}`));
  try {
    sandbox.ensureScratch();
    for (const s of scratch) closeSync(openSync(s, 'wx', 0o600));
    const view = buildView({
      toolchain: [c.toolPath],
      inputs: [...new Set(keyed.inputs)],
      outputs: c.job.outputs.map((path, i) => ({ scratch: scratch[i]!, path })),
      dirs: [c.cwd, ...c.job.includeDirs, ...c.job.outputs.map((o) => dirname(o))],
      tmpfs: ['/tmp'],
    });
    if (view.missing.length > 0) return { kind: 'run-yourself', reason: 'go-input-unreadable' };
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const t0 = performance.now();
    const r = await sandbox.executor.run({
      toolPath: c.toolPath, argv0: c.toolPath, args: c.job.args, cwd: c.cwd, env: goFillEnv(keyed), umask: c.umask,
      view: view.ops, signal: c.signal, onStarted: () => undefined, onStdout: (d) => out.push(d), onStderr: (d) => err.push(d),
    });
    if (r.kind !== 'exited') return { kind: 'run-yourself', reason: 'sandbox-error' };
    // A failure is the host's to report (it may be the view's doing): the tool runs there.
    if (r.code !== 0 || r.signal !== 0) return { kind: 'run-yourself', reason: 'go-sandbox-failed' };
    const stdout = Buffer.concat(out);
    const stderr = Buffer.concat(err);
    const data = scratch.map((s) => readFileSync(s));
    await storeGoStep(ctx, c, keyed, startedAtNs, { data, stdout, stderr, durationMs: Math.round(performance.now() - t0) }, { sandboxed: true });
    return { kind: 'done', data, stdout, stderr };
  } catch (e) {
    ctx.stats.bumpCache('store-error');
    ctx.log.warn(`go ${c.job.tool}: ${(e as Error).message}`);
    return { kind: 'run-yourself', reason: 'sandbox-error' };
  } finally {
    for (const s of scratch) rmSync(s, { force: true });
  }
}

/** The stored result with its blobs, verified; undefined on a miss. */
async function replay(ctx: CacheContext, key: string, job: GoToolJob): Promise<Served | undefined> {
  let result: ActionResult | undefined;
  try {
    result = await ctx.actions.get(key);
    if (!result || result.outputs.length !== job.outputs.length) return undefined;
    if (!servableHere(ctx, result)) return undefined;
    const data: Buffer[] = [];
    for (const o of result.outputs) {
      const d = await ctx.cas.get(o.digest);
      if (!d) return undefined;
      data.push(d);
    }
    const stdout = await ctx.cas.get(result.stdoutDigest);
    const stderr = await ctx.cas.get(result.stderrDigest);
    if (!stdout || !stderr) return undefined;
    ctx.stats.bumpCache('time-saved-ms', result.durationMs);
    return { kind: 'done', data, stdout, stderr };
  } catch (e) {
    ctx.stats.bumpCache('store-error');
    ctx.log.warn(`go replay: ${(e as Error).message}`);
    return undefined;
  }
}

/** Each output through a temporary file and a rename, so cmd/go never sees half a file. */
function place(paths: readonly string[], data: readonly Buffer[], umask: number): void {
  paths.forEach((p, i) => {
    const tmp = `${p}.reprise-${randomBytes(4).toString('hex')}`;
    writeFileSync(tmp, data[i]!);
    chmodSync(tmp, 0o666 & ~umask);
    try {
      if (statSync(p, { throwIfNoEntry: false })) unlinkSync(p);
    } catch {
      // gone meanwhile
    }
    renameSync(tmp, p);
  });
}
