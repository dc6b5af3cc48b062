import { isDigestHex } from '../../hashing/create-hasher.js';
import type { Digest } from '../../hashing/types.js';

/**
 * The blob a ByteStream resource name names: `{instance}/blobs/{hash}/{size}` for Read,
 * `{instance}/uploads/{uuid}/blobs/{hash}/{size}[/{anything}]` for Write. The instance name may
 * be empty or have slashes of its own; compressed-blobs/ is not supported (undefined).
 */
export function parseBlobResource(name: string, kind: 'read' | 'write'): Digest | undefined {
  const parts = name.split('/');
  for (let i = 0; i + 2 < parts.length; i++) {
    if (parts[i] !== 'blobs') continue;
    if (kind === 'write' && (i < 2 || parts[i - 2] !== 'uploads' || parts[i - 1] === '')) continue;
    if (kind === 'read' && i + 3 !== parts.length) continue;
    const hash = parts[i + 1]!;
    const size = Number(parts[i + 2]);
    if (!isDigestHex(hash) || !/^\d+$/.test(parts[i + 2]!) || !Number.isSafeInteger(size)) return undefined;
    return { hash, size };
  }
  return undefined;
}
