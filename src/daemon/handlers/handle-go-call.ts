import { planGo } from '../../adapters/go/plan-go.js';
import { probeGo } from '../../adapters/go/probe-go.js';
import { FrameKind, type Call } from '../../protocol/frames.js';
import { installPaths } from '../../runtime/install-paths.js';
import type { DaemonContext } from '../daemon-context.js';
import type { Responder } from '../responder.js';
import { goCacheSpareOf } from './go-cache-spare-of.js';

/**
 * A `go` command through the go shim: the daemon never runs go itself. It tells the shim
 * which variables to set before it runs go (GOCACHEPROG: this shim binary in its
 * --cacheprog mode; or GOFLAGS with -toolexec naming the shim, for a go that reads no
 * GOCACHEPROG), or declines with the reason go is left alone.
 */
export async function handleGoCall(ctx: DaemonContext, call: Call, out: Responder): Promise<void> {
  const env = new Map<string, string>();
  for (const e of call.env) {
    const i = e.indexOf('=');
    if (i > 0) env.set(e.slice(0, i), e.slice(i + 1));
  }
  const mode = env.get('REPRISE_GO') ?? '';
  const needsProbe = mode === '' && (env.get('GOCACHEPROG') ?? '') === '';
  const info = needsProbe ? await probeGo(call.toolPath, env) : undefined;
  const plan = planGo(env, call.argv, info, installPaths.shimBinary);
  if (plan.kind === 'pass') {
    ctx.stats.passThrough('go', plan.reason);
    out.send({ kind: FrameKind.DECLINE, reason: plan.reason });
    return;
  }
  // A GOCACHE that does not exist yet gets the directories go would make, made ahead (create-gocache-spare.ts).
  const gocache = env.get('GOCACHE');
  if (gocache) goCacheSpareOf(ctx).claim(gocache, call.umask);
  out.send({ kind: FrameKind.EXEC_ENV, env: plan.env });
}
