// The language-neutral half of a remote fill (docs/remote-execution.md): whether a miss goes
// remote under the policy, and sending its action to the executors in turn, within their
// timeouts, with the call's local job slot lent to others meanwhile. Every way it does not
// end in a successful remote compile is a fall-back with a counted reason; the caller then
// fills locally, so a build never waits on a remote past the configured timeout.
import type { CompletedExecution, Executor, RejectionReason } from '../../exec/remote/types.js';
import type { ExecutorObserver } from '../../exec/remote/create-remote-executor.js';
import type { RemoteExecutionClient } from '../../exec/remote/create-remote-execution-client.js';
import type { RemoteFillReason } from '../../stats/stat-names.js';
import type { CacheContext } from '../cache-context.js';
import type { CallSink } from '../call-sink.js';
import type { RemoteExecution, RemoteTarget } from './types.js';

/** Rejections that say the executor, not the action, is in trouble. */
const OUTAGES: ReadonlySet<string> = new Set(['unavailable', 'timeout']);

/** `missed`: an offer with `proves` (a guess) failed there or was not proven; the caller sends it again its own way. */
export type RemoteAnswer = { kind: 'completed'; result: CompletedExecution; target: RemoteTarget } | { kind: 'fallen-back' } | { kind: 'missed' };

/**
 * Actions of this daemon kept on an executor under `auto` even while a local slot is free: one
 * running there and one queued behind it (the next one's upload and staging overlap the run),
 * so an executor never idles while the build has compiles to spare.
 */
export const AUTO_FEED = 2;

/**
 * Actions of this daemon an executor may hold under `auto` for calls that found every local
 * slot busy and started without one (handle-call.ts): one running, one staging and one on its
 * way. Past that such a call waits for a slot here: a deeper queue there would leave this core
 * idle at the build's end while the executor works through it.
 */
export const AUTO_DEPTH = 3;

/**
 * Whether the executors could take one more of our actions now: the places left on those that
 * are up (fewer than `depth` of ours each) outnumber the calls already headed there.
 */
export function mayFeed(remote: RemoteExecution, depth = AUTO_DEPTH): boolean {
  const now = performance.now();
  let room = 0;
  for (const t of remote.targets) if (t.downUntil <= now && !t.probing) room += Math.max(0, Math.min(depth, t.spec.maxInFlight) - t.inFlight);
  return room > remote.headed;
}

/**
 * Counts a call decided remote as headed for the executors from now (call it in the same turn
 * as goesRemote) until the returned function is called: when its action is sent (sendRemote
 * calls `offer.arrived`) or it falls back before. Calling it again does nothing.
 */
export function heading(remote: RemoteExecution): () => void {
  remote.headed++;
  let counted = true;
  return () => {
    if (counted) (counted = false), remote.headed--;
  };
}

/**
 * `remote`: every miss. `auto`: a miss of a call that holds no local slot (every one was busy
 * when it came) while an executor has room for it; a miss while other calls wait for a local
 * job slot; and a miss while the build runs other compiles side by side and an executor has
 * fewer than AUTO_FEED of our actions: the local core also runs the build tool, so work it can
 * give to an idle executor shortens the build, while a serial build (one call at a time) keeps
 * its compiles here, where each is quickest.
 */
export function goesRemote(remote: RemoteExecution, sink: Pick<CallSink, 'slot'>): boolean {
  if (remote.policy === 'remote') return true;
  if (remote.policy !== 'auto' || !sink.slot) return false;
  if (!sink.slot.held()) return mayFeed(remote);
  if (sink.slot.contended()) return true;
  if (!sink.slot.parallel()) return false;
  return mayFeed(remote, AUTO_FEED);
}

/**
 * A local job slot freed and nobody waits for it: the action that joined an executor's queue
 * last (it would start there last) is taken back and filled here instead, so this core does not
 * idle at a build's end while the executor works through its queue (Bazel's dynamic execution
 * races both; this only takes back what has not started). True when one was taken.
 */
export function stealQueued(remote: RemoteExecution): boolean {
  const newest = [...remote.queued].pop();
  if (!newest) return false;
  remote.queued.delete(newest);
  newest.steal();
  return true;
}

/**
 * After a cool-down, a probe rather than a miss finds out whether the executor is back: one
 * that is still gone (unplugged, so the call just hangs) costs no compile its timeout again.
 */
function probe(ctx: CacheContext, target: RemoteTarget): void {
  target.probing = true;
  void target.probe(target.spec.timeoutMs).then((back) => {
    target.probing = false;
    target.downUntil = back ? 0 : performance.now() + target.spec.cooldownMs;
    ctx.log.info(`remote execution on ${target.name}: ${back ? 'back' : `still down: skipped for another ${target.spec.cooldownMs / 1000} s`}`);
  });
}

/** A miss meant for an executor that is filled locally before anything is sent (counted on the executor whose turn it was). */
export function fallBack(ctx: CacheContext, target: RemoteTarget, reason: RemoteFillReason | RejectionReason, why: string): RemoteAnswer {
  ctx.stats.executorFallback(target.name, reason);
  ctx.log.debug(`remote execution on ${target.name}: filled locally (${reason}): ${why}`);
  return { kind: 'fallen-back' };
}

/** A guess that failed there or was not proven (RemoteOffer.proves), counted on the executor. */
function missed(ctx: CacheContext, target: RemoteTarget, counter: 'guess-failed' | 'guess-unproven', why: string): RemoteAnswer {
  ctx.stats.bumpExecutor(target.name, counter);
  ctx.log.debug(`remote execution on ${target.name}: ${counter}: ${why}`);
  return { kind: 'missed' };
}

export interface RemoteOffer<A> {
  /** The language's executor kind and maker (e.g. `gcc`, createRemoteExecutor). */
  kind: string;
  make: (name: string, client: RemoteExecutionClient, observer: ExecutorObserver) => Executor<A>;
  action: A;
  /** For messages: what is compiled, where. */
  label: string;
  /** What a successful result lacks (an output that did not come back), or undefined when it is complete. */
  lacks?: (result: CompletedExecution) => string | undefined;
  /**
   * Why a successful result is not proven the host's (remote-fill-c.ts: its lookup trace), or
   * undefined when it is. An offer that has it is a guess: its failure there or a result not
   * proven is `missed` (counted as guess-failed, guess-unproven), not a fall-back.
   */
  proves?: (result: CompletedExecution) => Promise<string | undefined>;
  /** Told as the action is sent: it stops counting as headed (heading). */
  arrived?: () => void;
}

/**
 * Sends the action to the targets in `order` until one runs it. A compile that fails there is
 * not answered from the executor: the local fill runs it, and the caller gets the host's
 * messages and exit code.
 */
export async function sendRemote<A>(ctx: CacheContext, remote: RemoteExecution, order: readonly RemoteTarget[], offer: RemoteOffer<A>, sink: Pick<CallSink, 'signal' | 'slot'>): Promise<RemoteAnswer> {
  offer.arrived?.();
  const now = performance.now();
  for (const t of order) if (t.downUntil !== 0 && t.downUntil <= now && !t.probing) probe(ctx, t);
  const up = order.filter((t) => t.downUntil <= now && !t.probing);
  if (up.length === 0) return fallBack(ctx, order[0]!, 'executor-down', offer.label);
  const free = up.filter((t) => t.inFlight < t.spec.maxInFlight);
  if (free.length === 0) return fallBack(ctx, up[0]!, 'no-executor-slot', offer.label);
  const attempt = async (): Promise<RemoteAnswer> => {
    for (const target of free) {
      target.inFlight++;
      let out;
      const deadline = AbortSignal.timeout(target.spec.timeoutMs);
      // Under `auto`, while the action waits in the executor's queue, a local slot that frees takes it back (stealQueued).
      const stolen = new AbortController();
      const mine = { steal: () => stolen.abort(new Error('taken back for a local slot')) };
      const stealable = remote.policy === 'auto' && sink.slot !== undefined;
      try {
        out = await target.executor(offer.kind, offer.make).execute(offer.action, {
          signal: AbortSignal.any([sink.signal, deadline, stolen.signal]),
          ...(stealable ? { onQueued: (queued: boolean) => void (queued ? remote.queued.add(mine) : remote.queued.delete(mine)) } : {}),
        });
      } finally {
        target.inFlight--;
        remote.queued.delete(mine);
      }
      if (stolen.signal.aborted && !sink.signal.aborted) return fallBack(ctx, target, 'taken-back', `${offer.label}: a local slot freed while it waited in the queue`);
      // The executor's deadline, not the caller, ended it: a timeout, which opens the breaker (an unplugged executor never answers).
      if (out.kind === 'rejected' && out.reason === 'aborted' && deadline.aborted && !sink.signal.aborted) out = { ...out, reason: 'timeout', detail: `no result within ${target.spec.timeoutMs} ms` };
      if (out.kind === 'rejected') {
        ctx.stats.executorFallback(target.name, out.reason);
        // A long detail keeps its end too, where a rejection names what it found (`...: read /path`).
        const detail = out.detail.length > 400 ? `${out.detail.slice(0, 200)} ... ${out.detail.slice(-200)}` : out.detail;
        ctx.log.info(`remote execution on ${target.name}: ${offer.label}: rejected (${out.reason}): ${detail}`);
        if (sink.signal.aborted) return { kind: 'fallen-back' };
        // A dead executor must not cost every miss a timeout: skipped for its cool-down.
        if (OUTAGES.has(out.reason)) target.downUntil = performance.now() + target.spec.cooldownMs;
        continue;
      }
      if (out.result.exitCode !== 0) {
        const why = `${offer.label}: exit ${out.result.exitCode}: ${out.result.stderr.toString('utf8').slice(0, 300)}`;
        if (offer.proves) return missed(ctx, target, 'guess-failed', why);
        return fallBack(ctx, target, 'remote-exit-nonzero', why);
      }
      const lack = offer.lacks?.(out.result);
      if (lack !== undefined) return fallBack(ctx, target, 'output-missing', `${offer.label}: ${lack}`);
      const unproven = await offer.proves?.(out.result);
      if (unproven !== undefined) return missed(ctx, target, 'guess-unproven', `${offer.label}: ${unproven}`);
      ctx.stats.bumpExecutor(target.name, 'completed');
      return { kind: 'completed', result: out.result, target };
    }
    return { kind: 'fallen-back' };
  };
  // The action's work is on the executor: the call's local slot serves other calls meanwhile, and is taken again only for a local fill.
  return sink.slot ? sink.slot.lend(attempt, (a) => a.kind === 'fallen-back') : attempt();
}
