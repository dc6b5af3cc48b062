// ByteStream resource names for CAS blobs (REAPI v2):
//   {instance}/blobs/{function/}{hash}/{size}                 Read
//   {instance}/uploads/{uuid}/blobs/{function/}{hash}/{size}  Write
// An empty instance drops its slash. `{function/}` names the digest function only for the ones
// a hash's length cannot tell (BLAKE3); SHA-256 names are those of REAPI 2.0.
import type { Digest, DigestAlgorithm } from '../hashing/types.js';

export function blobResourceName(instance: string, algorithm: DigestAlgorithm, d: Digest): string {
  return `${prefix(instance)}blobs/${blobPath(algorithm, d)}`;
}

export function uploadResourceName(instance: string, uuid: string, algorithm: DigestAlgorithm, d: Digest): string {
  return `${prefix(instance)}uploads/${uuid}/blobs/${blobPath(algorithm, d)}`;
}

function prefix(instance: string): string {
  return instance === '' ? '' : `${instance.replace(/\/+$/, '')}/`;
}

function blobPath(algorithm: DigestAlgorithm, d: Digest): string {
  return `${algorithm === 'blake3' ? 'blake3/' : ''}${d.hash}/${d.size}`;
}
