import { createPublicKey } from 'node:crypto';
import { ValueProblem } from './value-problem.js';

/** A trusted ed25519 public key: PEM (SPKI), or base64 of its 32 raw bytes. Returned as given. */
export function checkPublicKey(key: string): string {
  const k = key.trim();
  if (k.startsWith('-----BEGIN')) {
    let type: string | undefined;
    try {
      type = createPublicKey(k).asymmetricKeyType;
    } catch {
      throw new ValueProblem('expected an ed25519 public key: this PEM does not parse');
    }
    if (type !== 'ed25519') throw new ValueProblem(`expected an ed25519 public key, not ${type ?? 'this kind'}`);
    return k;
  }
  if (!/^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=?$/.test(k) || Buffer.from(k, 'base64').length !== 32) {
    throw new ValueProblem(`expected an ed25519 public key: PEM, or base64 of its 32 bytes (${JSON.stringify(k.slice(0, 12))}... is neither)`);
  }
  return k;
}
