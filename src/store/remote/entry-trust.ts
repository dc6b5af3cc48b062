// Signed results (issue 16): writers sign the entries they upload with an ed25519 key;
// readers with trusted keys accept only entries one of those keys signed.
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../config/config-error.js';
import type { TrustSettings } from '../../config/remote-spec.js';
import { ed25519PublicKey, SPKI_ED25519 } from '../../config/check-public-key.js';

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

/** The ed25519 private key of trust.signing_key; a ConfigError says what is wrong with the file. */
export function loadSigningKey(file: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(file));
  } catch (e) {
    throw new ConfigError(`trust.signing_key (REPRISE_SIGNING_KEY) ${file}: not a readable PEM private key (${(e as Error).message}); make one with: openssl genpkey -algorithm ed25519 -out ${file}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new ConfigError(`trust.signing_key ${file}: an ${key.asymmetricKeyType ?? 'unknown'} key; expected ed25519`);
  return key;
}

/** A trusted key as the config file and REPRISE_TRUSTED_KEYS give it (PEM, or base64 of its 32 bytes). */
export function parsePublicKey(text: string): KeyObject {
  try {
    return ed25519PublicKey(text);
  } catch (e) {
    throw new ConfigError(`trust.public_keys (REPRISE_TRUSTED_KEYS): ${(e as Error).message}`);
  }
}

export function rawPublicKey(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519.length);
}
