import type { GoToolJob } from '../../adapters/go/parse-go-tool.js';
import type { ActionResult } from '../../store/types.js';
import type { CacheContext } from '../cache-context.js';
import { inputsUnchanged } from '../inputs-unchanged.js';
import { storeBlob } from '../store-blob.js';
import { goInputDigest, type GoToolKey } from './go-tool-key.js';

/**
 * A step's outputs stored under its key and counted as a miss, unless an input changed while
 * it ran (what it read may not be what was keyed: delivered, not stored). A result an untrusted
 * executor ran is stored unsandboxed, with that executor's name (ActionResult.executor).
 */
export async function storeGoStep(ctx: CacheContext, c: { job: GoToolJob }, keyed: GoToolKey, startedAtNs: bigint, ran: { data: Buffer[]; stdout: Buffer; stderr: Buffer; durationMs: number }, how: { sandboxed: boolean; executor?: string }): Promise<void> {
  const whole = new Set([c.job.importcfg, c.job.embedcfg]);
  if (!(await inputsUnchanged(keyed.digests, startedAtNs, (p) => goInputDigest(ctx, p, whole.has(p))))) {
    ctx.stats.uncacheable('go', 'input-changed-during-compile');
    return;
  }
  const outputs = await Promise.all(ran.data.map(async (d, i) => ({ role: `go-${i}`, path: c.job.outputs[i]!.split(c.job.work).join('$WORK'), digest: await storeBlob(ctx, d), size: d.length, mode: 0o644 })));
  const result: ActionResult = {
    schema: 1, outputs, stdoutDigest: await storeBlob(ctx, ran.stdout), stderrDigest: await storeBlob(ctx, ran.stderr), exitCode: 0,
    durationMs: ran.durationMs, createdAt: new Date().toISOString(), sandboxed: how.sandboxed, ...(how.executor !== undefined ? { executor: how.executor } : {}),
  };
  await ctx.actions.put(keyed.key, result);
  ctx.stats.bumpTool('go', 'miss');
}
