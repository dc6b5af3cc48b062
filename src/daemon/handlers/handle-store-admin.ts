import { isRecord, parseJsonObject } from '../../json/parse-json-object.js';
import { FrameKind, type Admin } from '../../protocol/frames.js';
import { clearCacheDir } from '../../store/local/clear-cache-dir.js';
import type { DaemonContext } from '../daemon-context.js';
import type { Responder } from '../responder.js';

/** The argument of the `gc` admin request: a limit other than the daemon's own. */
export interface GcArgument {
  maxBytes?: number;
}

/**
 * `gc` (evict down to the limit, remove stale temp files; replies a GcReport) and
 * `cache-clear` (empty every digest function's directory and forget what the daemon kept
 * in memory about it; replies a RemovalCount). A failure is an error reply, never a dropped
 * connection: the CLI would take that for "no daemon" and work on the directory itself.
 */
export async function handleStoreAdmin(ctx: DaemonContext, admin: Admin, out: Responder): Promise<void> {
  const send = (ok: boolean, value: unknown): void => out.send({ kind: FrameKind.ADMIN_REPLY, reply: { ok, json: JSON.stringify(value) } });
  try {
    if (admin.command === 'gc') {
      const arg = parseJsonObject(admin.argument);
      const maxBytes = isRecord(arg) ? arg.maxBytes : undefined;
      if (maxBytes !== undefined && !(typeof maxBytes === 'number' && Number.isSafeInteger(maxBytes) && maxBytes >= 0)) {
        return send(false, { error: `bad maxBytes ${JSON.stringify(maxBytes)}` });
      }
      const report = await ctx.cache.usage.gc(maxBytes);
      if (report.evicted.entries > 0) ctx.cache.goIndex?.reset('lost');
      ctx.log.info(`gc: evicted ${report.evicted.entries} entries, removed ${report.staleTemp.entries} stale temp files`);
      return send(true, report);
    }
    // Records queued before the clear (hits the shims replayed among them) are written now, and removed with the rest.
    ctx.ingestShimLogs();
    await ctx.cache.why.flush();
    const removed = await clearCacheDir(ctx.config.cacheDir, { algorithm: ctx.cache.algorithm, clear: () => ctx.cache.usage.clear() });
    // Memos of manifests would still point at results that are gone (a miss), but a clear means empty.
    ctx.cache.manifests.dropMemo();
    ctx.cache.actions.dropMemo();
    ctx.cache.tickets?.wipe();
    ctx.cache.goIndex?.reset('cleared');
    ctx.log.info(`cache cleared: ${removed.entries} entries, ${removed.bytes} bytes`);
    return send(true, removed);
  } catch (e) {
    ctx.log.warn(`${admin.command} failed: ${(e as Error).message}`);
    return send(false, { error: (e as Error).message });
  }
}
