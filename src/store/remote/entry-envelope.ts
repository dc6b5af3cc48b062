// How a reprise entry (an action result or a manifest) travels in a REAPI ActionResult:
// a JSON envelope inline in stdout_raw, bound to its kind and key and maybe signed, with
// every blob it needs listed as an output file (so servers keep them, and a reader knows
// their sizes, which REAPI reads need). An entry may carry a second one that its use will
// need next (a manifest, its newest result), signed on its own terms, so that a reader saves
// a round trip; readers that predate it ignore the field, and the second entry is still
// uploaded under its own key.
import type { Digest } from '../../hashing/types.js';
import { isRecord, parseJsonObject } from '../../json/parse-json-object.js';
import type { EntrySignature, EntryTrust } from './entry-trust.js';
import type { RemoteActionResult } from './types.js';

export type EntryKind = 'result' | 'manifest';

/** An entry carried inside another one's envelope, with the blobs it names. */
export interface CarriedEntry {
  kind: EntryKind;
  key: string;
  body: string;
  blobs: readonly Digest[];
}

/** A carried entry as the envelope holds it (its blobs go into the outer entry's output files). */
interface CarriedJson {
  kind: EntryKind;
  key: string;
  body: string;
  sig?: EntrySignature;
}

/** The envelope's JSON: `body` is the entry's own JSON text, as the local store keeps it. */
interface Envelope {
  reprise: 1;
  kind: EntryKind;
  key: string;
  body: string;
  sig?: EntrySignature;
  carries?: CarriedJson;
}

/** What is signed: the kind and local key bind the entry to the one place it belongs. */
function signedBytes(kind: EntryKind, key: string, body: string): Buffer {
  return Buffer.from(`reprise-entry-1\0${kind}\0${key}\0${body}`);
}

export function encodeEntry(kind: EntryKind, key: string, body: string, blobs: readonly Digest[], trust: EntryTrust, carried?: CarriedEntry): RemoteActionResult {
  const sig = trust.sign(signedBytes(kind, key, body));
  const env: Envelope = { reprise: 1, kind, key, body, ...(sig ? { sig } : {}) };
  const all = new Map(blobs.map((d) => [d.hash, d]));
  if (carried) {
    const csig = trust.sign(signedBytes(carried.kind, carried.key, carried.body));
    env.carries = { kind: carried.kind, key: carried.key, body: carried.body, ...(csig ? { sig: csig } : {}) };
    for (const d of carried.blobs) if (!all.has(d.hash)) all.set(d.hash, d);
  }
  return {
    outputFiles: [...all.values()].map((digest, i) => ({ path: `reprise/${kind}/${i}`, digest, isExecutable: false })),
    exitCode: 0,
    stdoutRaw: Buffer.from(JSON.stringify(env)),
  };
}

/** A carried entry that passed the same checks as its own envelope would: well-formed and trusted. */
export interface DecodedCarried {
  kind: EntryKind;
  key: string;
  body: string;
}

export type DecodedEntry =
  | { kind: 'ok'; body: string; blobs: Map<string, number>; carries?: DecodedCarried }
  | { kind: 'refused'; why: 'corrupt' | 'remote-unsigned' | 'remote-bad-signature' };

/** Whether a signature over this kind, key and body is one the trust settings accept (always, when none are required). */
function trusted(trust: EntryTrust, kind: EntryKind, key: string, body: string, sig: unknown): 'ok' | 'remote-unsigned' | 'remote-bad-signature' {
  if (!trust.required) return 'ok';
  if (!isRecord(sig) || typeof sig.key !== 'string' || typeof sig.value !== 'string') return 'remote-unsigned';
  return trust.verify(signedBytes(kind, key, body), { key: sig.key, value: sig.value }) ? 'ok' : 'remote-bad-signature';
}

/**
 * The entry's body and its blobs' sizes, if the envelope is well-formed, for this kind and
 * key, and trusted. A carried entry is given only when it too is well-formed and trusted;
 * otherwise it is left out (its own key can still be fetched).
 */
export function decodeEntry(kind: EntryKind, key: string, r: RemoteActionResult, trust: EntryTrust): DecodedEntry {
  const env = parseJsonObject(r.stdoutRaw.toString('utf8'));
  if (!env || env.reprise !== 1 || env.kind !== kind || env.key !== key || typeof env.body !== 'string') return { kind: 'refused', why: 'corrupt' };
  const why = trusted(trust, kind, key, env.body, env.sig);
  if (why !== 'ok') return { kind: 'refused', why };
  const blobs = new Map<string, number>();
  for (const f of r.outputFiles) blobs.set(f.digest.hash, f.digest.size);
  const c = env.carries;
  const carries = isRecord(c) && (c.kind === 'result' || c.kind === 'manifest') && typeof c.key === 'string' && typeof c.body === 'string' && trusted(trust, c.kind, c.key, c.body, c.sig) === 'ok'
    ? { kind: c.kind as EntryKind, key: c.key, body: c.body }
    : undefined;
  return { kind: 'ok', body: env.body, blobs, ...(carries ? { carries } : {}) };
}
