import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { CacheContext } from '../cache-context.js';
import type { CallSink } from '../call-sink.js';
import { matchManifestEntry } from '../manifest.js';
import { replay, type PlaceOutput } from '../replay.js';
import { verifyHit, verifyWanted } from '../verify-hit.js';
import type { GhcCall, GhcKeyed } from './ghc-call.js';
import { ghcKeyFor } from './ghc-key-for.js';
import { fillGhc, recompileGhc, runCounted, withOutputs } from './fill-ghc.js';

/**
 * One cacheable `ghc -c`, start to end: identify ghc → digest the source → direct key →
 * manifest (every file, absence and variable the last fills saw) → result → replay;
 * otherwise ghc runs once per key at a time in the traced sandbox, and the result is
 * stored and delivered. Every early exit names a statistic.
 */
export async function cachedGhcCompile(ctx: CacheContext, c: GhcCall, sink: CallSink): Promise<void> {
  const keyed = await ghcKeyFor(ctx, c);
  if (keyed.kind === 'uncacheable') {
    if (keyed.why) ctx.log.debug(`${c.tool}: ${c.job.source}: ${keyed.reason}: ${keyed.why}`);
    return runCounted(ctx, c, undefined, sink, keyed.reason);
  }
  await ctx.flight(keyed.key.key, async () => {
    if (await tryHit(ctx, c, keyed, sink)) return;
    await fillGhc(ctx, c, keyed, sink);
  });
}

async function tryHit(ctx: CacheContext, c: GhcCall, k: GhcKeyed, sink: CallSink): Promise<boolean> {
  try {
    const manifest = await ctx.manifests.get(k.key.key);
    if (!manifest) return false;
    const entry = await matchManifestEntry(manifest, k.files, { cwd: c.cwd, pwd: c.keyCwd }, c.env);
    if (!entry) return false;
    const result = await ctx.actions.get(entry.resultKey);
    if (!result || result.outputs.length !== k.outputs.length || !result.sandboxed) return false;
    const replayed = await replay(result, ctx.cas, ctx.algorithm, place(c, k), c.umask, sink);
    if (!replayed) return false;
    const rc = withOutputs(c, k);
    ctx.stats.bumpTool(c.tool, 'direct-hit');
    ctx.stats.bumpCache('time-saved-ms', result.durationMs);
    ctx.why.hit(rc, k.key, entry.resultKey);
    if (verifyWanted(ctx, rc)) await verifyHit(ctx, rc, entry.resultKey, replayed, (sandbox, signal) => recompileGhc(ctx, sandbox, c, k, signal), sink.signal);
    sink.exit(replayed.exitCode, 0);
    return true;
  } catch (e) {
    ctx.stats.bumpCache('store-error');
    ctx.log.warn(`lookup failed, compiling: ${(e as Error).message}`);
    return false;
  }
}

/** Each stored output goes where this call's ghc writes the output of the same role; its directory is made, as ghc makes it. */
function place(c: GhcCall, k: GhcKeyed): PlaceOutput {
  return (o, i, data) => {
    const w = k.outputs[i];
    if (!w || w.role !== o.role) return undefined;
    const path = resolve(c.cwd, w.path);
    mkdirSync(dirname(path), { recursive: true });
    return { path, data };
  };
}
