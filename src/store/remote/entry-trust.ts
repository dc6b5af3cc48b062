// Signed results (issue 16): writers sign the entries they upload with an ed25519 key;
// readers with trusted keys accept only entries one of those keys signed.
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../config/config-error.js';
import type { TrustSettings } from '../../config/remote-spec.js';

/** An entry's signature: the signer's raw public key and the signature, both base64. */
export interface EntrySignature {
  key: string;
  value: string;
}

export interface EntryTrust {
  /** Signs these bytes, when a signing key is configured. */
  sign(message: Buffer): EntrySignature | undefined;
  /** Whether entries must be signed by a trusted key to be used. */
  readonly required: boolean;
  /** Whether a trusted key made this signature over these bytes. */
  verify(message: Buffer, sig: EntrySignature): boolean;
}

// DER prefix of an ed25519 SubjectPublicKeyInfo: the 32 raw key bytes follow it.
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

/** The trust settings made usable; bad keys are config errors naming the setting. */
export function createEntryTrust(settings: TrustSettings): EntryTrust {
  const signer = settings.signingKeyFile === undefined ? undefined : loadSigningKey(settings.signingKeyFile);
  const signerId = signer && rawPublicKey(createPublicKey(signer)).toString('base64');
  const trusted = new Map<string, KeyObject>();
  for (const text of settings.publicKeys) {
    const key = parsePublicKey(text);
    trusted.set(rawPublicKey(key).toString('base64'), key);
  }
  return {
    required: trusted.size > 0,
    sign(message) {
      if (!signer || !signerId) return undefined;
      return { key: signerId, value: sign(null, message, signer).toString('base64') };
    },
    verify(message, sig) {
      const key = trusted.get(sig.key);
      if (!key) return false;
      try {
        return verify(null, message, key, Buffer.from(sig.value, 'base64'));
      } catch {
        return false;
      }
    },
  };
}

function loadSigningKey(file: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(file));
  } catch (e) {
    throw new ConfigError(`trust.signing_key (REPRISE_SIGNING_KEY) ${file}: not a readable PEM private key (${(e as Error).message}); make one with: openssl genpkey -algorithm ed25519 -out ${file}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new ConfigError(`trust.signing_key ${file}: an ${key.asymmetricKeyType ?? 'unknown'} key; expected ed25519`);
  return key;
}

/** A PEM public key, or base64 of the 32 raw bytes. */
export function parsePublicKey(text: string): KeyObject {
  let key: KeyObject;
  try {
    const t = text.trim();
    key = t.startsWith('-----BEGIN')
      ? createPublicKey(t)
      : createPublicKey({ key: Buffer.concat([SPKI_ED25519, rawBytes(t)]), format: 'der', type: 'spki' });
  } catch (e) {
    throw new ConfigError(`trust.public_keys (REPRISE_TRUSTED_KEYS): ${JSON.stringify(text.slice(0, 60))} is not an ed25519 public key (PEM, or base64 of its 32 bytes): ${(e as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new ConfigError(`trust.public_keys: an ${key.asymmetricKeyType ?? 'unknown'} key; expected ed25519`);
  return key;
}

function rawBytes(b64: string): Buffer {
  const raw = Buffer.from(b64, 'base64');
  if (raw.length !== 32) throw new Error(`${raw.length} bytes, expected 32`);
  return raw;
}

export function rawPublicKey(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519.length);
}
