import { createPublicKey, type KeyObject } from 'node:crypto';
import { ValueProblem } from './value-problem.js';

// DER prefix of an ed25519 SubjectPublicKeyInfo: the 32 raw key bytes follow it.
export const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

/** A trusted ed25519 public key: PEM (SPKI), or base64 of its 32 raw bytes. Returned as given. */
export function checkPublicKey(key: string): string {
  ed25519PublicKey(key);
  return key.trim();
}

/** The key itself (the one reading of the setting: config checks and signature checks share it). */
export function ed25519PublicKey(key: string): KeyObject {
  const k = key.trim();
  if (k.startsWith('-----BEGIN')) {
    let parsed: KeyObject;
    try {
      parsed = createPublicKey(k);
    } catch {
      throw new ValueProblem('expected an ed25519 public key: this PEM does not parse');
    }
    if (parsed.asymmetricKeyType !== 'ed25519') throw new ValueProblem(`expected an ed25519 public key, not ${parsed.asymmetricKeyType ?? 'this kind'}`);
    return parsed;
  }
  if (!/^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=?$/.test(k) || Buffer.from(k, 'base64').length !== 32) {
    throw new ValueProblem(`expected an ed25519 public key: PEM, or base64 of its 32 bytes (${JSON.stringify(k.slice(0, 12))}... is neither)`);
  }
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519, Buffer.from(k, 'base64')]), format: 'der', type: 'spki' });
}
