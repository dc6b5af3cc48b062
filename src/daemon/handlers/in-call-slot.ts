import type { CallSlot } from '../../pipeline/call-sink.js';
import { mayFeed, stealQueued } from '../../pipeline/remote/offer-remote.js';
import { lendSlot } from '../../pipeline/lend-slot.js';
import type { DaemonContext } from '../daemon-context.js';

/** Calls past planning, by daemon: in a job slot, waiting for one, or lent to an executor. */
const active = new WeakMap<DaemonContext, number>();

/**
 * Serves a planned call with a local job slot (src/daemon/job-slots.ts), which remote execution
 * may lend to other calls while it waits (CallSlot). Under `auto` a call that may go remote and
 * finds every slot busy starts without one while an executor has room for its miss (mayFeed):
 * it takes a slot only if it compiles here, so a long compile holding the slot never stops the
 * executor from being fed. `busy`: no slot within the queue timeout (or the caller left).
 */
export async function inCallSlot<T>(ctx: DaemonContext, signal: AbortSignal, mayGoRemote: boolean, serve: (slot: CallSlot) => Promise<T>): Promise<T | 'busy'> {
  active.set(ctx, (active.get(ctx) ?? 0) + 1);
  try {
    return await served(ctx, signal, mayGoRemote, serve);
  } finally {
    active.set(ctx, (active.get(ctx) ?? 1) - 1);
  }
}

async function served<T>(ctx: DaemonContext, signal: AbortSignal, mayGoRemote: boolean, serve: (slot: CallSlot) => Promise<T>): Promise<T | 'busy'> {
  const remote = ctx.cache.remote;
  const slotless = mayGoRemote && ctx.config.cache && remote !== undefined && remote.policy === 'auto';
  let release: (() => void) | undefined = slotless ? ctx.jobs.tryAcquire() : undefined;
  if (release === undefined && !(slotless && mayFeed(remote))) {
    release = await ctx.jobs.acquire(ctx.config.queueTimeoutMs, signal);
    if (!release) return 'busy';
  }
  const letGo = (): void => {
    release?.();
    release = undefined;
  };
  const take = async (): Promise<void> => {
    // Past the queue timeout it goes on without one, as a shim fallback would.
    if (release === undefined) release = (await ctx.jobs.acquire(ctx.config.queueTimeoutMs, signal)) ?? (() => undefined);
  };
  const slot: CallSlot = {
    contended: () => ctx.jobs.waiting > 0,
    parallel: () => (active.get(ctx) ?? 0) > 1,
    held: () => release !== undefined,
    take,
    lend: (task, retake) => lendSlot(letGo, take, task, retake),
  };
  try {
    return await serve(slot);
  } finally {
    const held = release !== undefined;
    letGo();
    // The call is done and its slot idles: an action of ours still queued on an executor is taken back for it.
    if (held && remote && ctx.jobs.idle) stealQueued(remote);
  }
}
