import * as grpc from '@grpc/grpc-js';
import { ReapiCallError, type ReapiClient } from './create-reapi-client.js';
import type { Outgoing, WriteRequest } from './types.js';

/** Chunks well below gRPC's default 4 MiB message limit (grpc-java servers keep it). */
export const WRITE_CHUNK_BYTES = 1 << 20;

/**
 * A whole blob through ByteStream Write. The server may finish early when it already holds the
 * blob; either way it must report the whole size committed.
 */
export async function writeByteStream(client: ReapiClient, resourceName: string, data: Buffer, signal: AbortSignal): Promise<void> {
  const res = await client.clientStream('Write', chunks(resourceName, data), signal);
  if (res.committedSize !== data.length) {
    throw new ReapiCallError('Write', grpc.status.DATA_LOSS, `${resourceName}: committed ${res.committedSize} of ${data.length} bytes`);
  }
}

function* chunks(resourceName: string, data: Buffer): Generator<Outgoing<WriteRequest>> {
  let offset = 0;
  do {
    const end = Math.min(offset + WRITE_CHUNK_BYTES, data.length);
    // The resource name goes in the first request only.
    yield { ...(offset === 0 ? { resourceName } : {}), writeOffset: offset, finishWrite: end === data.length, data: data.subarray(offset, end) };
    offset = end;
  } while (offset < data.length);
}
