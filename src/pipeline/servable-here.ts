import type { ActionResult } from '../store/types.js';
import type { CacheContext } from './cache-context.js';

/**
 * Whether a stored result may be served on this machine now. One stored while REPRISE_SANDBOX
 * was off is not served once the sandbox is on: it is filled again, checked. One an untrusted
 * executor ran is served while that executor is configured (this build took its answer already).
 */
export function servableHere(ctx: CacheContext, result: ActionResult): boolean {
  return !ctx.sandbox || result.sandboxed || (result.executor !== undefined && ctx.remote?.knows(result.executor) === true);
}
