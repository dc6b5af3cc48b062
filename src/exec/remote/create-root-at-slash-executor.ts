// The Executor contract (DESIGN.md §2) for compiles whose action stands at the host's paths
// (build-root-at-slash-action.ts: rustc's, Go's): outputs and messages come back as the host
// would have them, unchanged. What each language adds is how its job becomes an action and,
// where the root alone does not prove it, how a result shows it read only the root (rustc's
// dep-info); a result that fails that is rejected (`read-outside-root`) and filled locally.
import { isAbsolute, resolve } from 'node:path';
import type { DigestMemo } from './mirror-host-files.js';
import { InputRootError } from './build-input-root.js';
import { WRONG_ROOT_EXIT, type RootAtSlashAction } from './build-root-at-slash-action.js';
import { countTimings, type RemoteExecutorOptions } from './create-remote-executor.js';
import type { RemoteExecutionClient } from './create-remote-execution-client.js';
import { mapRemoteTrace } from './map-remote-trace.js';
import { parseLookupTrace } from '../parse-lookup-trace.js';
import type { OutsideDigests } from '../../reapi/platform-properties.js';
import type { CompletedExecution, ExecuteOutcome, ExecutionTimings, Executor, RejectionReason, RemoteLookups } from './types.js';
import type { RemoteExecCounter } from './remote-exec-counters.js';

/** A job at the host's paths: its working directory and outputs (absolute or relative to it). */
export interface RootAtSlashJob {
  cwd: string;
  outputs: readonly string[];
}

export interface RootAtSlashLanguage<J extends RootAtSlashJob, A extends RootAtSlashAction> {
  /** The action (an InputRootError: not representable, filled locally). */
  build(job: J, memo: DigestMemo, opts: RemoteExecutorOptions): Promise<A>;
  /** Why a successful result is not shown to have read only the root, or undefined. */
  readOutside?(job: J, built: A, result: CompletedExecution): string | undefined;
}

export function createRootAtSlashExecutor<J extends RootAtSlashJob, A extends RootAtSlashAction>(name: string, client: RemoteExecutionClient, language: RootAtSlashLanguage<J, A>, opts: RemoteExecutorOptions = {}): Executor<J> {
  const memo: DigestMemo = opts.memo ?? new Map();
  const bump = (c: RemoteExecCounter, n = 1): void => {
    if (n !== 0) opts.observer?.count(c, n);
  };
  const reject = (reason: RejectionReason, detail: string, timings?: Partial<ExecutionTimings>): ExecuteOutcome => {
    bump('fallen-back');
    return { kind: 'rejected', reason, detail, ...(timings ? { timings } : {}) };
  };
  return {
    name,
    async execute(job, { signal, onStream, onQueued }) {
      bump('actions-sent');
      let built;
      const t0 = performance.now();
      try {
        built = await language.build(job, memo, opts);
      } catch (e) {
        if (e instanceof InputRootError) return reject('not-representable', e.message);
        throw e;
      }
      bump('prepare-ms', Math.round(performance.now() - t0));
      const out = await client.execute(built.action, { signal, ...(onQueued ? { onQueued } : {}) });
      const t = out.kind === 'completed' ? out.result.timings : out.timings;
      if (t) countTimings(bump, t);
      if (out.kind === 'rejected') return reject(out.reason, out.detail, out.timings);
      const r = out.result;
      if (r.exitCode === WRONG_ROOT_EXIT && r.stdout.length === 0 && r.stderr.length === 0) return reject('not-representable', 'the executor did not place the input root at / (it ignores the reprise-root-at property)', r.timings);
      if (r.exitCode === 0) {
        const outside = language.readOutside?.(job, built, r);
        if (outside !== undefined) return reject('read-outside-root', outside, r.timings);
      }
      bump('actions-run');
      if (r.exitCode !== 0) bump('actions-failed');
      if (r.cached) bump('actions-cached');
      const abs = (p: string): string => (isAbsolute(p) ? p : resolve(job.cwd, p));
      const outputs = new Map<string, { data: Buffer; isExecutable: boolean }>();
      job.outputs.forEach((o, i) => {
        const got = r.outputs.get(built.outputFiles[i]!);
        if (got) outputs.set(abs(o), got);
      });
      // Asked for and given (`reprise serve --execute` traces; other servers ignore the ask): what the command looked up, by host path.
      const traced = built.traceFile !== undefined && r.exitCode === 0 ? r.outputs.get(built.traceFile) : undefined;
      const executorFiles = built.outsideDigestsFile !== undefined ? readOutsideDigests(r.outputs.get(built.outsideDigestsFile)?.data) : undefined;
      const lookups: RemoteLookups | undefined = traced && { ...mapRemoteTrace(parseLookupTrace(traced.data), { held: built.held }, job.cwd), sent: built.sent, ...(executorFiles ? { executorFiles } : {}) };
      if (r.stdout.length > 0) onStream?.('stdout', r.stdout);
      if (r.stderr.length > 0) onStream?.('stderr', r.stderr);
      return { kind: 'completed', result: { ...r, outputs, ...(lookups ? { lookups } : {}) } };
    },
    close() {
      client.close();
      return Promise.resolve();
    },
  };
}

/** The executor's digests of what the command took from its own disk (OUTSIDE_DIGESTS_PROPERTY), or undefined when absent or not well formed. */
function readOutsideDigests(data: Buffer | undefined): OutsideDigests | undefined {
  if (!data) return undefined;
  try {
    const v = JSON.parse(data.toString('utf8')) as unknown;
    if (typeof v !== 'object' || v === null) return undefined;
    const { files, programs } = v as Record<string, unknown>;
    const strings = (o: unknown): o is Record<string, string> => typeof o === 'object' && o !== null && Object.values(o).every((x) => typeof x === 'string');
    return strings(files) && strings(programs) ? { files, programs } : undefined;
  } catch {
    return undefined;
  }
}
