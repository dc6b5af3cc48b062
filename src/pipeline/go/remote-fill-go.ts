// A Go compile or asm miss of a -toolexec build run on a REAPI executor (docs/remote-execution.md,
// "Go"). No pre-pass is needed: the key already names every input (go-tool-key.ts), the local
// fill shows exactly those (cached-go-tool.ts), and the action's input root is the same set at
// the host's paths (create-go-executor.ts). Only a successful remote run answers the caller;
// anything else is counted and filled locally.
import { createGoExecutor, type RemoteGoStep } from '../../exec/remote/create-go-executor.js';
import type { CacheContext } from '../cache-context.js';
import { platformOption } from '../remote/configured-platform.js';
import { heading, sendRemote } from '../remote/offer-remote.js';
import { provenBy } from '../remote/proven-by.js';
import type { RemoteExecution } from '../remote/types.js';
import type { GoToolCall, Served } from './cached-go-tool.js';
import { storeGoStep } from './store-go-step.js';
import { goFillEnv, type GoToolKey } from './go-tool-key.js';

/** The step's outputs from an executor, stored as its trust allows; undefined: fill locally (the reason is counted). Call it in the turn that decided it (goesRemote). */
export async function fillGoRemotely(ctx: CacheContext, remote: RemoteExecution, c: GoToolCall, keyed: GoToolKey, startedAtNs: bigint): Promise<Served | undefined> {
  const arrived = heading(remote);
  try {
    const order = remote.order();
    const label = `go ${c.job.tool} in ${c.cwd}`;
    const action: RemoteGoStep = { toolPath: c.toolPath, args: c.job.args, cwd: c.cwd, env: goFillEnv(keyed), inputs: keyed.inputs, outputs: c.job.outputs };
    const t0 = performance.now();
    const answer = await sendRemote(ctx, remote, order, {
      kind: 'go',
      make: (name, client, observer) => createGoExecutor(name, client, { observer, memo: remote.digests, ...platformOption(remote, name) }),
      action,
      label,
      arrived,
      lacks: (result) => c.job.outputs.find((o) => !result.outputs.has(o)),
    }, c);
    if (answer.kind !== 'completed') return undefined;
    const data = c.job.outputs.map((o) => answer.result.outputs.get(o)!.data);
    const ran = { data, stdout: answer.result.stdout, stderr: answer.result.stderr, durationMs: Math.round(answer.result.timings.executeMs ?? performance.now() - t0) };
    try {
      // Stored as sandboxed (shareable) only from an executor trusted to run exactly the input root in a sandbox.
      const trusted = provenBy(answer.target.spec);
      await storeGoStep(ctx, c, keyed, startedAtNs, ran, trusted ? { sandboxed: true } : { sandboxed: false, executor: answer.target.name });
    } catch (e) {
      ctx.stats.bumpCache('store-error');
      ctx.log.warn(`${label}: not stored: ${(e as Error).message}`);
    }
    return { kind: 'done', data, stdout: ran.stdout, stderr: ran.stderr };
  } finally {
    arrived();
  }
}
