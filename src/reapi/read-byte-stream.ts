import * as grpc from '@grpc/grpc-js';
import { ReapiCallError, type ReapiClient } from './create-reapi-client.js';

/**
 * A whole blob through ByteStream Read (from offset 0: some servers ignore offsets). A server
 * that sends more than `size` bytes is cut off at once (DATA_LOSS), so a lying server cannot
 * fill memory; fewer bytes are returned as sent (the caller verifies the digest).
 */
export async function readByteStream(client: ReapiClient, resourceName: string, size: number, signal: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let received = 0;
  await client.serverStream('Read', { resourceName, readOffset: 0, readLimit: 0 }, signal, (m) => {
    received += m.data.length;
    if (received > size) throw new ReapiCallError('Read', grpc.status.DATA_LOSS, `${resourceName}: more than ${size} bytes`);
    chunks.push(m.data);
  });
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, received);
}
