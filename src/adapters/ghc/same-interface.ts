import { interfaceAbi } from './interface-abi.js';
import { readInterface } from './read-interface.js';

/**
 * Whether two interfaces of one module promise the same to everything that reads them: the
 * same bytes, or the same ABI (what importers see: interface-abi.ts) and the same usages of
 * home modules except for the ABI hash each usage recorded. That is how a result served by
 * per-name cutoff (usage-views.ts) differs from a fresh compile: the fresh one records the
 * imports' new ABI hashes, and with them a new interface hash.
 */
export function sameInterface(cached: Buffer, fresh: Buffer): boolean {
  if (cached.equals(fresh)) return true;
  const a = interfaceAbi(cached);
  const b = interfaceAbi(fresh);
  if (!a || !b || !a.equals(b)) return false;
  const ua = readInterface(cached);
  const ub = readInterface(fresh);
  if (!ua || !ub) return false;
  const usages = (u: typeof ua): string => JSON.stringify(u.home.map((h) => ({ ...h, modHash: undefined })));
  return usages(ua) === usages(ub);
}
