import { randomUUID } from 'node:crypto';
import { realpathSync, statSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { dirname, join, normalize, isAbsolute, posix } from 'node:path';
import { status } from '@grpc/grpc-js';
import { digestBytes } from '../../../hashing/create-hasher.js';
import type { Digest } from '../../../hashing/types.js';
import { decodeReapiMessage, encodeReapiMessage } from '../../load-reapi-protos.js';
import type { Action, Command, ExecuteResponse, ExecutedActionMetadata, Outgoing, PbTimestamp, RpcStatus, WireActionResult } from '../../types.js';
import { fromWireDigest, toWireDigest } from '../../wire-digest.js';
import type { ExecuteOptions, ServeStore } from '../types.js';
import { collectOutputs } from './collect-outputs.js';
import { readInputTree } from './read-input-tree.js';
import { planStaging, type CachedDir } from './plan-staging.js';
import { SANDBOX_OWN_TOP_DIRS, runSandboxedCommand } from './run-sandboxed-command.js';
import { OUTSIDE_DIGESTS_PROPERTY, ROOT_AT_PROPERTY, SYSTEM_TOP_DIRS, TRACE_PROPERTY } from '../../platform-properties.js';
import { outsideDigests, placedView } from './outside-digests.js';
import { overlayMounts } from './overlay-mounts.js';
import { placeRootAtSlash } from './place-root-at-slash.js';
import { BlobLostError, stageInputRoot } from './stage-input-root.js';
import type { StagedDirs } from './staged-dirs.js';
import type { LocalExecutor } from '../../../exec/types.js';

/** stdout and stderr up to this size travel inline in the ExecuteResponse as well as in the CAS. */
const INLINE_MAX = 16 * 1024;
/**
 * Output files up to this size in all travel inline in the ExecuteResponse too (OutputFile.contents),
 * so a client gets an object file without a ByteStream read per output. REAPI asks servers to
 * inline only on request, which Execute has no field for; clients that ignore `contents` read
 * the CAS as before, and the action cache keeps the lean result.
 */
const INLINE_OUTPUTS_MAX = 1024 * 1024;

export interface ActionContext {
  store: ServeStore;
  options: ExecuteOptions;
  /** DIR/exec: per-action staging directories (run/), executable twins of blobs (x/) and the staged-directory cache (dirs/). */
  execDir: string;
  /** Closed input directories laid out once and bound into each action that has them. */
  dirs: StagedDirs;
  /** Starts each action's bubblewrap (run-sandboxed-command.ts). */
  launcher?: LocalExecutor;
  log?: (line: string) => void;
}

export interface ActionRun {
  actionDigest: Digest;
  queuedAt: Date;
  /** Aborted when the server shuts down: the action is killed. */
  signal: AbortSignal;
  /** The inputs are staged and the command starts (stage EXECUTING). */
  onExecuting(): void;
}

/**
 * One action, start to finish: read the Action and Command, check that every input is in the
 * CAS (FAILED_PRECONDITION with a PreconditionFailure naming each missing blob otherwise),
 * stage the input root (stage-input-root.ts), run the Command sandboxed
 * (run-sandboxed-command.ts), put outputs, stdout and stderr in the CAS, write a successful
 * result to the action cache, and remove the staging directory. A Command that cannot start,
 * times out or is killed is an ExecuteResponse with a status, never a throw; a throw is a
 * failure of the server itself (its store).
 */
export async function runAction(ctx: ActionContext, run: ActionRun): Promise<Outgoing<ExecuteResponse>> {
  const meta: Outgoing<ExecutedActionMetadata> = { worker: ctx.options.worker, queuedTimestamp: timestamp(run.queuedAt), workerStartTimestamp: now() };
  meta.inputFetchStartTimestamp = now();
  const action = await readMessage(ctx.store, 'build.bazel.remote.execution.v2.Action', run.actionDigest);
  if ('missing' in action) return precondition([action.missing]);
  if ('invalid' in action) return invalid(`the action: ${action.invalid}`);
  const command = await readMessage(ctx.store, 'build.bazel.remote.execution.v2.Command', fromWireDigest(action.value.commandDigest));
  if ('missing' in command) return precondition([command.missing]);
  if ('invalid' in command) return invalid(`the command: ${command.invalid}`);
  const rootDigest = fromWireDigest(action.value.inputRootDigest);
  if (!rootDigest) return invalid('the action has no input_root_digest');
  const c = command.value;
  if (c.arguments.length === 0) return invalid('the command has no arguments');
  const outputs = [...c.outputFiles, ...c.outputDirectories, ...c.outputPaths];
  // An output may lead out of the working directory (`..`), never out of the root.
  const bad = [c.workingDirectory, ...outputs.map((o) => (isAbsolute(o) ? o : posix.join(c.workingDirectory, o)))].find((p) => !relativeInside(p));
  if (bad !== undefined) return invalid(`${JSON.stringify(bad)} is not a path inside the input root`);
  const tree = await readInputTree(ctx.store, rootDigest);
  if (!tree.ok) return 'missing' in tree ? precondition(tree.missing) : invalid(tree.invalid);
  // An input root asked for at `/` (rustc's and Go's actions): its directories at their own paths, never over the sandbox's own (place-root-at-slash.ts).
  const properties = [...(c.platform?.properties ?? []), ...(action.value.platform?.properties ?? [])];
  const rootAt = properties.find((p) => p.name === ROOT_AT_PROPERTY)?.value;
  if (rootAt !== undefined && rootAt !== '/') return invalid(`${ROOT_AT_PROPERTY}=${rootAt}: only / is supported`);
  const placed = rootAt === undefined ? undefined : placeRootAtSlash(tree.entries, isSystemDir, SANDBOX_OWN_TOP_DIRS, c.workingDirectory, ctx.options.unshare !== undefined);
  if (placed && !placed.ok) return invalid(`${ROOT_AT_PROPERTY}=/: ${placed.why}`);
  const tops = placed?.ok ? placed.binds : undefined;
  // The lookup trace, asked for by naming the output file it goes to; a server without the tracer runs the command untraced, as other servers do.
  const traceTo = ctx.options.lookupTracer ? properties.find((p) => p.name === TRACE_PROPERTY)?.value : undefined;
  if (traceTo !== undefined && !c.outputFiles.includes(traceTo)) return invalid(`${TRACE_PROPERTY}=${traceTo}: not one of the command's output files`);
  // What the traced command took from this executor's own disk, digested (outside-digests.ts): only a root at `/` has such reads the client can name.
  const digestsTo = traceTo !== undefined && tops ? properties.find((p) => p.name === OUTSIDE_DIGESTS_PROPERTY)?.value : undefined;
  if (digestsTo !== undefined && !c.outputFiles.includes(digestsTo)) return invalid(`${OUTSIDE_DIGESTS_PROPERTY}=${digestsTo}: not one of the command's output files`);

  const stageDir = join(ctx.execDir, 'run', randomUUID());
  const plan = planStaging(tree.entries, c.workingDirectory, outputs, (d) => ctx.dirs.takes(d), placed?.ok ? placed.open : []);
  const cached = plan.readOnly.flatMap((b): CachedDir[] => (b.cached ? [b.cached] : []));
  let cachedPaths: string[] | undefined;
  try {
    await mkdir(stageDir, { recursive: true, mode: 0o755 });
    try {
      await stageInputRoot(ctx.store, plan.staged, stageDir, join(ctx.execDir, 'x'));
      cachedPaths = await ctx.dirs.acquire(cached);
    } catch (e) {
      if (e instanceof BlobLostError) {
        ctx.store.forget(e.digest.hash);
        return precondition([e.digest]);
      }
      throw e;
    }
    const sources = new Map(cached.map((d, i) => [d, cachedPaths![i]!]));
    const cwd = join(stageDir, c.workingDirectory);
    await mkdir(cwd, { recursive: true });
    // REAPI: the server creates output files' parents; Bazel's worker (and tools) expect output directories themselves too.
    for (const p of [...c.outputFiles, ...c.outputPaths]) await mkdir(dirname(join(cwd, p)), { recursive: true });
    for (const p of c.outputDirectories) await mkdir(join(cwd, p), { recursive: true });
    // The tracer appends to a file that exists (it never creates one).
    if (traceTo !== undefined) await writeFile(join(cwd, traceTo), '', { flag: 'w', mode: 0o644 });
    meta.inputFetchCompletedTimestamp = now();

    const env = new Map(c.environmentVariables.map((v) => [v.name, v.value]));
    run.onExecuting();
    meta.executionStartTimestamp = now();
    const timeout = action.value.timeout ? action.value.timeout.seconds * 1000 + Math.floor(action.value.timeout.nanos / 1e6) : 0;
    const ran = await runSandboxedCommand({
      bwrap: ctx.options.bwrap,
      root: stageDir,
      readOnly: plan.readOnly.map((b) => ({ path: join(stageDir, b.path), ...(b.cached ? { source: sources.get(b.cached)! } : {}) })),
      workingDirectory: c.workingDirectory,
      ...(tops ? { rootAtSlash: tops } : {}),
      ...(placed?.ok && placed.overlays.length > 0 ? { overlays: { mounts: overlayMounts(placed.overlays, stageDir), unshare: ctx.options.unshare! } } : {}),
      arguments: c.arguments,
      env,
      ...(traceTo !== undefined ? { trace: { library: ctx.options.lookupTracer!, file: join(c.workingDirectory, traceTo) } } : {}),
      timeoutMs: timeout > 0 ? timeout : ctx.options.defaultTimeoutMs,
      signal: run.signal,
      ...(ctx.launcher ? { launcher: ctx.launcher } : {}),
    });
    meta.executionCompletedTimestamp = now();
    if (run.signal.aborted) return { status: rpcStatus(status.UNAVAILABLE, 'the server is shutting down: the action was killed') };
    if (ran.kind === 'not-started') return { status: rpcStatus(status.INVALID_ARGUMENT, `the command cannot start: ${ran.why}`) };

    if (digestsTo !== undefined && ran.exitCode === 0) {
      const found = await outsideDigests(await readFile(join(cwd, traceTo!)), placedView(tree.entries, tops!, placed?.ok ? placed.overlays : []), env.get('PATH'));
      await writeFile(join(cwd, digestsTo), JSON.stringify(found), { mode: 0o644 });
    }
    meta.outputUploadStartTimestamp = now();
    const contents = new Map<string, Buffer>();
    const collected = await collectOutputs(ctx.store, stageDir, c, contents);
    const stdoutDigest = digestBytes('sha256', ran.stdout);
    const stderrDigest = digestBytes('sha256', ran.stderr);
    await ctx.store.putBlob(stdoutDigest, ran.stdout);
    await ctx.store.putBlob(stderrDigest, ran.stderr);
    meta.outputUploadCompletedTimestamp = now();
    meta.workerCompletedTimestamp = now();
    const result: Outgoing<WireActionResult> = {
      ...collected,
      exitCode: ran.exitCode,
      stdoutDigest: toWireDigest(stdoutDigest),
      stderrDigest: toWireDigest(stderrDigest),
      executionMetadata: meta,
    };
    if (ran.timedOut) {
      return { result, status: rpcStatus(status.DEADLINE_EXCEEDED, `the action ran longer than its timeout (${timeout > 0 ? timeout : ctx.options.defaultTimeoutMs} ms) and was killed`) };
    }
    if (ran.exitCode === 0 && !action.value.doNotCache) {
      const w = ctx.store.startActionPut(run.actionDigest.hash);
      try {
        await w.write(encodeReapiMessage('build.bazel.remote.execution.v2.ActionResult', result));
        await w.commit();
      } catch (e) {
        await w.abort();
        ctx.log?.(`execute: cannot store the result of ${run.actionDigest.hash}: ${(e as Error).message}`);
      }
    }
    // Inline only in the response: the action cache keeps the lean result.
    const inlineOutputs = [...contents.values()].reduce((n, b) => n + b.length, 0) <= INLINE_OUTPUTS_MAX;
    return {
      result: {
        ...result,
        ...(inlineOutputs ? { outputFiles: (collected.outputFiles ?? []).map((f) => ({ ...f, contents: contents.get(f.path ?? "") ?? Buffer.alloc(0) })) } : {}),
        ...(ran.stdout.length <= INLINE_MAX ? { stdoutRaw: ran.stdout } : {}),
        ...(ran.stderr.length <= INLINE_MAX ? { stderrRaw: ran.stderr } : {}),
      },
    };
  } finally {
    if (cachedPaths) ctx.dirs.release(cached);
    await removeStage(stageDir, ctx.log);
  }
}

type Read<T> = { value: T } | { missing: Digest } | { invalid: string };

async function readMessage<K extends 'build.bazel.remote.execution.v2.Action' | 'build.bazel.remote.execution.v2.Command'>(
  store: ServeStore,
  name: K,
  digest: Digest | undefined,
): Promise<Read<K extends 'build.bazel.remote.execution.v2.Action' ? Action : Command>> {
  if (!digest) return { invalid: 'not a SHA-256 digest' };
  const blob = await store.readBlob(digest.hash);
  if (!blob || blob.length !== digest.size) return { missing: digest };
  try {
    return { value: decodeReapiMessage(name, blob) as K extends 'build.bazel.remote.execution.v2.Action' ? Action : Command };
  } catch (e) {
    return { invalid: `not a ${name.split('.').pop()}: ${(e as Error).message}` };
  }
}

/** REAPI: missing inputs are FAILED_PRECONDITION with a PreconditionFailure, one MISSING violation per blob. */
function precondition(missing: readonly Digest[]): Outgoing<ExecuteResponse> {
  const violations = missing.map((d) => ({ type: 'MISSING', subject: `blobs/${d.hash}/${d.size}` }));
  const value = encodeReapiMessage('google.rpc.PreconditionFailure', { violations });
  return {
    status: {
      code: status.FAILED_PRECONDITION,
      message: `${missing.length} input blob${missing.length === 1 ? ' is' : 's are'} not in the CAS`,
      details: [{ type_url: 'type.googleapis.com/google.rpc.PreconditionFailure', value }],
    },
  };
}

function invalid(message: string): Outgoing<ExecuteResponse> {
  return { status: rpcStatus(status.INVALID_ARGUMENT, message) };
}

function rpcStatus(code: status, message: string): Outgoing<RpcStatus> {
  return { code, message };
}

function relativeInside(p: string): boolean {
  if (isAbsolute(p) || p.includes('\0')) return false;
  const n = normalize(p === '' ? '.' : p);
  return n !== '..' && !n.startsWith('../');
}

/** A directory of this machine's system (Debian's /usr/lib/go-1.19/pkg/include leads to /usr/share: a bind there lands where the command looks too). */
function isSystemDir(p: string): boolean {
  try {
    return statSync(p).isDirectory() && SYSTEM_TOP_DIRS.has(realpathSync(p).split('/')[1] ?? '');
  } catch {
    return false;
  }
}

function timestamp(d: Date): Outgoing<PbTimestamp> {
  const ms = d.getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

function now(): Outgoing<PbTimestamp> {
  return timestamp(new Date());
}

/** The action may have left read-only directories behind: make them writable and try again. */
async function removeStage(dir: string, log?: (line: string) => void): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true });
  } catch {
    await new Promise<void>((resolve) => execFile('chmod', ['-R', 'u+rwx', dir], () => resolve()));
    await rm(dir, { recursive: true, force: true }).catch((e: Error) => log?.(`execute: cannot remove ${dir}: ${e.message}`));
  }
}
