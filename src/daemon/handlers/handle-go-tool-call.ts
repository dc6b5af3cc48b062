import { parseGoTool } from '../../adapters/go/parse-go-tool.js';
import { makeInvocation } from '../../adapters/make-invocation.js';
import { cachedGoTool } from '../../pipeline/go/cached-go-tool.js';
import { FrameKind, type Call } from '../../protocol/frames.js';
import type { DaemonContext } from '../daemon-context.js';
import type { Responder } from '../responder.js';
import { inCallSlot } from './in-call-slot.js';

/**
 * A Go tool that -toolexec handed to the shim (`reprise-shim /…/pkg/tool/linux_amd64/compile
 * ARGS`): compile and asm steps are served through the cache; -V=full probes, link, cgo,
 * vet and the rest are declined, and the shim runs them unchanged. Counted under `go`.
 */
export async function handleGoToolCall(ctx: DaemonContext, call: Call, out: Responder, tool: 'compile' | 'asm' | 'other'): Promise<void> {
  ctx.stats.bumpTool('go', 'calls');
  const decline = (reason: string): void => out.send({ kind: FrameKind.DECLINE, reason });
  if (tool === 'other') {
    ctx.stats.passThrough('go', 'not-a-compile');
    return decline('not-a-compile');
  }
  const invocation = makeInvocation(call);
  const plan = parseGoTool(tool, call.argv.slice(1), call.cwd, invocation.env);
  if (plan.kind === 'pass') {
    ctx.stats.passThrough('go', 'not-a-compile');
    return decline('not-a-compile');
  }
  if (plan.kind === 'uncacheable') {
    ctx.stats.uncacheable('go', plan.reason);
    return decline(plan.reason);
  }
  if (!ctx.config.cache || ctx.isDraining()) {
    ctx.stats.passThrough('go', ctx.isDraining() ? 'draining' : 'not-a-compile');
    return decline('cache-disabled');
  }
  const served = await inCallSlot(ctx, out.signal, true, async (slot) => {
    const r = await cachedGoTool(ctx.cache, { toolPath: call.toolPath, cwd: call.cwd, umask: call.umask, env: invocation.env, job: plan.job, signal: out.signal, slot });
    if (r.kind === 'run-yourself') {
      ctx.stats.uncacheable('go', r.reason);
      return decline(r.reason);
    }
    if (r.stdout.length > 0) out.send({ kind: FrameKind.STDOUT, data: r.stdout });
    if (r.stderr.length > 0) out.send({ kind: FrameKind.STDERR, data: r.stderr });
    out.send({ kind: FrameKind.EXIT, exit: { code: r.code, signal: 0 } });
  });
  if (served === 'busy' && !out.signal.aborted) {
    ctx.stats.passThrough('go', 'daemon-busy');
    decline('daemon-busy');
  }
}
