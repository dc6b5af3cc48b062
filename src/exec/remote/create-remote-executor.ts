// The Executor contract (DESIGN.md §2) over the REAPI Execution client: a gcc compile in, a
// completed run (exit code, messages, outputs by the caller's paths) or a rejection out, and
// counters per executor (remote-exec-counters.ts). A job the input root cannot hold, or one
// whose outputs would name the executor's directory, is rejected before anything is sent: the
// caller compiles it locally. The C pipeline sends misses through it (src/pipeline/c-remote-fill.ts).
import { isAbsolute, resolve } from 'node:path';
import type { ToolchainSource } from '../../config/executor-spec.js';
import type { DigestMemo } from './mirror-host-files.js';
import { buildGccAction, fixRemotePaths, readsOutsideRoot, type GccActionSpec } from './build-gcc-action.js';
import { InputRootError } from './build-input-root.js';
import { fixRemoteDepfile } from './fix-remote-depfile.js';
import type { RemoteExecutionClient } from './create-remote-execution-client.js';
import { parseLookupTrace } from '../parse-lookup-trace.js';
import { mapRemoteTrace } from './map-remote-trace.js';
import { REJECTION_REASONS, type ExecuteOutcome, type RemoteLookups, type ExecutionTimings, type Executor, type RejectionReason } from './types.js';
import { REMOTE_EXEC_COUNTERS, type RemoteExecCounter } from './remote-exec-counters.js';

/** A compile as the pipeline knows it; the executor adds the algorithm, its digest memo and where its toolchain comes from. */
export type RemoteCompile = Omit<GccActionSpec, 'algorithm' | 'memo' | 'toolchainIn'> & {
  /** Which of `outputs` are depfiles (their paths are mapped back to the host's). */
  depfiles?: readonly string[];
};

export interface RemoteExecutor extends Executor<RemoteCompile> {
  /** Counters so far, and rejections by reason. */
  counters(): { counts: Record<RemoteExecCounter, number>; rejected: Record<RejectionReason, number> };
}

/** Told of every count as it is made (the daemon's stats). */
export interface ExecutorObserver {
  count(counter: RemoteExecCounter, n: number): void;
}

export interface RemoteExecutorOptions {
  observer?: ExecutorObserver;
  platform?: ReadonlyArray<{ name: string; value: string }>;
  /** The executor's toolchain setting (default `action`: the toolchain travels in the root). */
  toolchainIn?: ToolchainSource;
  /** Host files' digests, shared with other executors (default: this one's own). */
  memo?: DigestMemo;
}

export function createRemoteExecutor(name: string, client: RemoteExecutionClient, opts: RemoteExecutorOptions = {}): RemoteExecutor {
  const own = Object.fromEntries(REMOTE_EXEC_COUNTERS.map((c) => [c, 0])) as Record<RemoteExecCounter, number>;
  const rejected = Object.fromEntries(REJECTION_REASONS.map((r) => [r, 0])) as Record<RejectionReason, number>;
  const memo: DigestMemo = opts.memo ?? new Map();
  const bump = (c: RemoteExecCounter, n = 1): void => {
    own[c] += n;
    if (n !== 0) opts.observer?.count(c, n);
  };
  const reject = (reason: RejectionReason, detail: string, timings?: Partial<ExecutionTimings>): ExecuteOutcome => {
    bump('fallen-back');
    rejected[reason]++;
    return { kind: 'rejected', reason, detail, ...(timings ? { timings } : {}) };
  };

  return {
    name,
    async execute(job, { signal, onStream, onQueued }) {
      bump('actions-sent');
      const leak = pathsInOutputs(job.args);
      if (leak) return reject('not-representable', leak);
      let built;
      const t0 = performance.now();
      try {
        built = await buildGccAction({ ...(opts.platform ? { platform: opts.platform } : {}), ...job, algorithm: 'sha256', memo, toolchainIn: opts.toolchainIn ?? 'action' });
      } catch (e) {
        if (e instanceof InputRootError) return reject('not-representable', e.message);
        throw e;
      }
      bump('prepare-ms', Math.round(performance.now() - t0));
      const out = await client.execute(built.action, { signal, ...(onQueued ? { onQueued } : {}) });
      const t = out.kind === 'completed' ? out.result.timings : out.timings;
      if (t) countTimings(bump, t);
      if (out.kind === 'rejected') return reject(out.reason, out.detail, out.timings);
      // Depfiles and messages name the executor's root, which the start script noted.
      const root = out.result.outputs.get(built.rootFile)?.data.toString('utf8') ?? '';
      // What it read must all be in the input root: the added depfile, or the compile's own (-MD).
      const own = job.depfiles?.[0] === undefined ? -1 : job.outputs.findIndex((o) => resolve(job.cwd, o) === resolve(job.cwd, job.depfiles![0]!));
      const reads = out.result.outputs.get(built.readsFile ?? built.outputFiles[own] ?? '');
      if (out.result.exitCode === 0) {
        const outside = reads ? readsOutsideRoot(reads.data, root, job.cwd, built.imagePaths) : 'no depfile came back to prove what it read';
        if (outside !== undefined) return reject('read-outside-root', `${job.args.join(' ')}: read ${outside}`, out.result.timings);
      }
      bump('actions-run');
      if (out.result.exitCode !== 0) bump('actions-failed');
      if (out.result.cached) bump('actions-cached');
      // Outputs by the caller's paths (absolute), in place of the Command's.
      const depfiles = new Set((job.depfiles ?? []).map((d) => resolve(job.cwd, d)));
      const outputs = new Map<string, { data: Buffer; isExecutable: boolean }>();
      job.outputs.forEach((o, i) => {
        const got = out.result.outputs.get(built.outputFiles[i]!);
        const path = isAbsolute(o) ? o : resolve(job.cwd, o);
        if (got) outputs.set(path, depfiles.has(path) ? { ...got, data: fixRemoteDepfile(got.data, root) ?? fixRemotePaths(got.data, root) } : got);
      });
      let lookups: RemoteLookups | undefined;
      if (built.traceFile && out.result.exitCode === 0) {
        // A server that does not trace ignores the ask: no trace comes back, and the caller knows it cannot prove this way.
        const trace = out.result.outputs.get(built.traceFile);
        if (trace && reads) {
          const text = (fixRemoteDepfile(reads.data, root) ?? fixRemotePaths(reads.data, root)).toString('utf8');
          lookups = { ...mapRemoteTrace(parseLookupTrace(trace.data), root, job.cwd), reads: text, sent: built.sent };
        }
      }
      const stdout = fixRemotePaths(out.result.stdout, root);
      const stderr = fixRemotePaths(out.result.stderr, root);
      if (stdout.length > 0) onStream?.('stdout', stdout);
      if (stderr.length > 0) onStream?.('stderr', stderr);
      return { kind: 'completed', result: { ...out.result, stdout, stderr, outputs, ...(lookups ? { lookups } : {}) } };
    },
    counters: () => ({ counts: { ...own }, rejected: { ...rejected } }),
    close() {
      client.close();
      return Promise.resolve();
    },
  };
}

/** An execution's timings and byte counts, as counters (shared by every language's executor). */
export function countTimings(bump: (c: RemoteExecCounter, n: number) => void, t: Partial<ExecutionTimings>): void {
  bump('upload-bytes', t.uploadBytes ?? 0);
  bump('upload-ms', Math.round(t.uploadMs ?? 0));
  bump('execute-ms', Math.round(t.executeMs ?? 0));
  bump('download-bytes', t.downloadBytes ?? 0);
  bump('download-ms', Math.round(t.downloadMs ?? 0));
  bump('queue-ms', Math.round(t.queuedMs ?? 0));
  bump('input-fetch-ms', Math.round(t.inputFetchMs ?? 0));
  bump('run-ms', Math.round(t.runMs ?? 0));
  bump('retries', Math.max(0, (t.attempts ?? 1) - 1));
}

/**
 * Why this compile's outputs would differ on an executor, or undefined. Debug information and
 * __FILE__ are mapped back to host paths by the action's start script (build-gcc-action.ts);
 * coverage notes and profiles record the working directory where the maps do not reach.
 */
export function pathsInOutputs(args: readonly string[]): string | undefined {
  if (args.some((a) => a === '--coverage' || a === '-ftest-coverage' || a.startsWith('-fprofile-'))) return 'coverage and profiling record absolute paths';
  return undefined;
}
