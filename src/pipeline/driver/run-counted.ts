import type { BuiltKey } from '../../keying/key-builder.js';
import type { RecordedCall } from '../../why/create-compile-recorder.js';
import type { CacheContext } from '../cache-context.js';
import type { CallSink } from '../call-sink.js';
import type { RunOutcome } from '../store-compile.js';

/** Runs the compile for the caller, outside any sandbox (runForCaller); undefined when the caller has been answered already. */
export type CallerRunner = () => Promise<RunOutcome | undefined>;

/**
 * Runs the compile for the caller and stores nothing, counting why it was not stored (and
 * recording it for `reprise why` when it was keyed), or that it failed.
 */
export async function runCounted(ctx: CacheContext, c: RecordedCall, run: CallerRunner, sink: CallSink, reason: string, key?: BuiltKey): Promise<void> {
  await counted(ctx, c, run, sink, reason, key);
}

/**
 * A compile that failed in the sandbox runs outside, and the caller gets exactly that run;
 * if it succeeds there, the sandbox caught a read the key does not cover: counted as
 * sandbox-violation and logged with what `describe` says of it.
 */
export async function afterSandboxFailure(ctx: CacheContext, c: RecordedCall, run: CallerRunner, sink: CallSink, key: BuiltKey, describe: () => string): Promise<void> {
  await counted(ctx, c, run, sink, 'sandbox-violation', key, () => ctx.log.warn(`sandbox-violation: ${describe()}`));
}

async function counted(ctx: CacheContext, c: RecordedCall, run: CallerRunner, sink: CallSink, reason: string, key: BuiltKey | undefined, note?: () => void): Promise<void> {
  const r = await run();
  if (!r) return;
  if (r.code !== 0 || r.signal !== 0) ctx.stats.bumpTool(c.tool, 'tool-failed');
  else {
    ctx.stats.uncacheable(c.tool, reason);
    note?.();
    if (key) ctx.why.notStored(c, key, reason);
  }
  sink.exit(r.code, r.signal);
}
