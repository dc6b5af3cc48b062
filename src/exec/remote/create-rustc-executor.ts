// The Executor contract (DESIGN.md §2) for rustc compiles over the REAPI Execution client:
// the action stands at the host's paths (build-rustc-action.ts), so outputs and messages come
// back as the host would have them, unchanged. The compile's own dep-info proves what it read:
// a file it names that the input root does not hold came from the executor's disk, and the
// result is rejected (`read-outside-root`); with the toolchain in the image, files under its
// paths (RustcAction.imagePaths) are the image's own.
import { isAbsolute, resolve } from 'node:path';
import { parseRustDepInfo } from '../../adapters/rustc/parse-rust-depinfo.js';
import type { DigestMemo } from './mirror-host-files.js';
import { InputRootError } from './build-input-root.js';
import { buildRustcAction, WRONG_ROOT_EXIT, type RustcActionSpec } from './build-rustc-action.js';
import { countTimings, type RemoteExecutorOptions } from './create-remote-executor.js';
import { underAny } from './under-any.js';
import type { RemoteExecutionClient } from './create-remote-execution-client.js';
import type { ExecuteOutcome, ExecutionTimings, Executor, RejectionReason } from './types.js';
import type { RemoteExecCounter } from './remote-exec-counters.js';

/** A rustc compile as the pipeline knows it; `depInfo` is the one of `outputs` that is its dep-info (the proof). */
export type RemoteRustCompile = Omit<RustcActionSpec, 'algorithm' | 'memo' | 'platform' | 'toolchainIn'> & { depInfo: string };

export function createRustcExecutor(name: string, client: RemoteExecutionClient, opts: RemoteExecutorOptions = {}): Executor<RemoteRustCompile> {
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
    async execute(job, { signal, onStream }) {
      bump('actions-sent');
      let built;
      try {
        built = await buildRustcAction({ ...job, algorithm: 'sha256', memo, ...(opts.platform ? { platform: opts.platform } : {}), toolchainIn: opts.toolchainIn ?? 'action' });
      } catch (e) {
        if (e instanceof InputRootError) return reject('not-representable', e.message);
        throw e;
      }
      const out = await client.execute(built.action, { signal });
      const t = out.kind === 'completed' ? out.result.timings : out.timings;
      if (t) countTimings(bump, t);
      if (out.kind === 'rejected') return reject(out.reason, out.detail, out.timings);
      const r = out.result;
      if (r.exitCode === WRONG_ROOT_EXIT && r.stdout.length === 0 && r.stderr.length === 0) return reject('not-representable', 'the executor did not place the input root at / (it ignores the reprise-root-at property)', r.timings);
      const abs = (p: string): string => (isAbsolute(p) ? p : resolve(job.cwd, p));
      if (r.exitCode === 0) {
        const at = job.outputs.findIndex((o) => abs(o) === abs(job.depInfo));
        const info = at < 0 ? undefined : r.outputs.get(built.outputFiles[at]!);
        const parsed = info && parseRustDepInfo(info.data.toString('utf8'));
        if (!parsed) return reject('read-outside-root', 'no dep-info came back to prove what it read', r.timings);
        const outside = parsed.files.map(abs).find((f) => !built.held.has(f) && !(built.imagePaths && underAny(f, built.imagePaths)));
        if (outside !== undefined) return reject('read-outside-root', `${job.args.join(' ')}: read ${outside}`, r.timings);
      }
      bump('actions-run');
      if (r.exitCode !== 0) bump('actions-failed');
      if (r.cached) bump('actions-cached');
      const outputs = new Map<string, { data: Buffer; isExecutable: boolean }>();
      job.outputs.forEach((o, i) => {
        const got = r.outputs.get(built.outputFiles[i]!);
        if (got) outputs.set(abs(o), got);
      });
      if (r.stdout.length > 0) onStream?.('stdout', r.stdout);
      if (r.stderr.length > 0) onStream?.('stderr', r.stderr);
      return { kind: 'completed', result: { ...r, outputs } };
    },
    close() {
      client.close();
      return Promise.resolve();
    },
  };
}
