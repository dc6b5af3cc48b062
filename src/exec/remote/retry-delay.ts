import { decodeReapiMessage } from '../../reapi/load-reapi-protos.js';
import type { RpcStatus } from '../../reapi/types.js';

/** The most a server's RetryInfo may make us wait: longer, and a local compile is the better answer. */
export const MAX_RETRY_DELAY_MS = 10_000;

/**
 * The delay a status's google.rpc.RetryInfo asks for, in ms (capped), or undefined when it has
 * none (or an undecodable one). REAPI servers attach it to RESOURCE_EXHAUSTED and UNAVAILABLE.
 */
export function retryDelayMs(status: RpcStatus | null | undefined): number | undefined {
  for (const d of status?.details ?? []) {
    if (!d.type_url.endsWith('/google.rpc.RetryInfo')) continue;
    try {
      const delay = decodeReapiMessage('google.rpc.RetryInfo', d.value).retryDelay;
      if (!delay) continue;
      const ms = delay.seconds * 1000 + Math.floor(delay.nanos / 1e6);
      if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, MAX_RETRY_DELAY_MS);
    } catch {
      /* not a RetryInfo after all */
    }
  }
  return undefined;
}
