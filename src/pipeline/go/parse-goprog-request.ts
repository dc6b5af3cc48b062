import type { GoProgRequest } from './types.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A request line from go, validated field by field; undefined when it is not one. */
export function parseGoProgRequest(line: string): GoProgRequest | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.ID !== 'number' || !Number.isSafeInteger(o.ID)) return undefined;
  if (o.Command !== 'get' && o.Command !== 'put' && o.Command !== 'close') return undefined;
  const req: GoProgRequest = { ID: o.ID, Command: o.Command };
  for (const f of ['ActionID', 'ObjectID', 'OutputID'] as const) {
    const x = o[f];
    if (x === undefined || x === null) continue;
    if (typeof x !== 'string' || !BASE64.test(x)) return undefined;
    req[f] = x;
  }
  if (o.BodySize !== undefined) {
    if (typeof o.BodySize !== 'number' || !Number.isSafeInteger(o.BodySize) || o.BodySize < 0) return undefined;
    req.BodySize = o.BodySize;
  }
  return req;
}
