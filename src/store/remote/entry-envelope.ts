// How a reprise entry (an action result or a manifest) travels in a REAPI ActionResult:
// a JSON envelope inline in stdout_raw, bound to its kind and key and maybe signed, with
// every blob it needs listed as an output file (so servers keep them, and a reader knows
// their sizes, which REAPI reads need).
import type { Digest } from '../../hashing/types.js';
import { isRecord, parseJsonObject } from '../../json/parse-json-object.js';
import type { EntrySignature, EntryTrust } from './entry-trust.js';
import type { RemoteActionResult } from './types.js';

export type EntryKind = 'result' | 'manifest';

/** The envelope's JSON: `body` is the entry's own JSON text, as the local store keeps it. */
interface Envelope {
  reprise: 1;
  kind: EntryKind;
  key: string;
  body: string;
  sig?: EntrySignature;
}

/** What is signed: the kind and local key bind the entry to the one place it belongs. */
function signedBytes(kind: EntryKind, key: string, body: string): Buffer {
  return Buffer.from(`reprise-entry-1\0${kind}\0${key}\0${body}`);
}

export function encodeEntry(kind: EntryKind, key: string, body: string, blobs: readonly Digest[], trust: EntryTrust): RemoteActionResult {
  const sig = trust.sign(signedBytes(kind, key, body));
  const env: Envelope = { reprise: 1, kind, key, body, ...(sig ? { sig } : {}) };
  return {
    outputFiles: blobs.map((digest, i) => ({ path: `reprise/${kind}/${i}`, digest, isExecutable: false })),
    exitCode: 0,
    stdoutRaw: Buffer.from(JSON.stringify(env)),
  };
}

export type DecodedEntry =
  | { kind: 'ok'; body: string; blobs: Map<string, number> }
  | { kind: 'refused'; why: 'corrupt' | 'remote-unsigned' | 'remote-bad-signature' };

/** The entry's body and its blobs' sizes, if the envelope is well-formed, for this kind and key, and trusted. */
export function decodeEntry(kind: EntryKind, key: string, r: RemoteActionResult, trust: EntryTrust): DecodedEntry {
  const env = parseJsonObject(r.stdoutRaw.toString('utf8'));
  if (!env || env.reprise !== 1 || env.kind !== kind || env.key !== key || typeof env.body !== 'string') return { kind: 'refused', why: 'corrupt' };
  if (trust.required) {
    const sig = env.sig;
    if (!isRecord(sig) || typeof sig.key !== 'string' || typeof sig.value !== 'string') return { kind: 'refused', why: 'remote-unsigned' };
    if (!trust.verify(signedBytes(kind, key, env.body), { key: sig.key, value: sig.value })) return { kind: 'refused', why: 'remote-bad-signature' };
  }
  const blobs = new Map<string, number>();
  for (const f of r.outputFiles) blobs.set(f.digest.hash, f.digest.size);
  return { kind: 'ok', body: env.body, blobs };
}
