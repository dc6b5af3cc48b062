import { status, type handleClientStreamingCall, type handleServerStreamingCall, type handleUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import type { StreamedWrite } from '../../store/local/streamed-write.js';
import type { Outgoing, QueryWriteStatusRequest, QueryWriteStatusResponse, ReadRequest, ReadResponse, WriteRequest, WriteResponse } from '../types.js';
import { CallFailure, denied, failure, statusOf } from './grpc-status.js';
import { parseBlobResource } from './parse-blob-resource.js';
import type { ServeStore, TokenTable } from './types.js';

/** Bytes per ReadResponse. */
const READ_CHUNK = 256 * 1024;

export interface ByteStreamService {
  Read: handleServerStreamingCall<ReadRequest, Outgoing<ReadResponse>>;
  Write: handleClientStreamingCall<WriteRequest, Outgoing<WriteResponse>>;
  QueryWriteStatus: handleUnaryCall<QueryWriteStatusRequest, Outgoing<QueryWriteStatusResponse>>;
}

/**
 * google.bytestream.ByteStream for blobs of any size: Read of `{instance}/blobs/{hash}/{size}`
 * with read_offset and read_limit, and Write of `{instance}/uploads/{uuid}/blobs/{hash}/{size}`,
 * streamed to a temp file and stored only when complete and matching the digest. Uploads are
 * not resumable: QueryWriteStatus says complete for a blob the CAS holds, else 0 bytes.
 */
export function byteStreamService(store: ServeStore, tokens: TokenTable): ByteStreamService {
  return {
    async Read(call) {
      try {
        const no = denied(tokens, call.metadata, 'read');
        if (no) throw new CallFailure(no);
        const { resourceName, readOffset, readLimit } = call.request;
        const digest = parseBlobResource(resourceName, 'read');
        if (!digest) throw new CallFailure(failure(status.INVALID_ARGUMENT, `${resourceName}: expected {instance}/blobs/{sha256}/{size}`));
        if (readLimit < 0) throw new CallFailure(failure(status.INVALID_ARGUMENT, 'read_limit is negative'));
        const data = await store.readBlob(digest.hash);
        if (!data) throw new CallFailure(failure(status.NOT_FOUND, `${digest.hash}/${digest.size} is not in the CAS`));
        if (readOffset < 0 || readOffset > data.length) throw new CallFailure(failure(status.OUT_OF_RANGE, `read_offset ${readOffset} is outside 0..${data.length}`));
        const end = readLimit > 0 ? Math.min(data.length, readOffset + readLimit) : data.length;
        let at = readOffset;
        do {
          const next = Math.min(end, at + READ_CHUNK);
          if (call.cancelled) return;
          if (!call.write({ data: data.subarray(at, next) })) await drained(call);
          at = next;
        } while (at < end);
        call.end();
      } catch (e) {
        call.emit('error', statusOf(e));
      }
    },

    async Write(call, callback) {
      const no = denied(tokens, call.metadata, 'read-write');
      if (no) return callback(no);
      let upload: StreamedWrite | undefined;
      try {
        let name = '';
        let size = 0;
        let finished = false;
        for await (const req of call as AsyncIterable<WriteRequest>) {
          if (!upload) {
            name = req.resourceName;
            const digest = parseBlobResource(name, 'write');
            if (!digest) throw new CallFailure(failure(status.INVALID_ARGUMENT, `${name}: expected {instance}/uploads/{uuid}/blobs/{sha256}/{size}`));
            size = digest.size;
            upload = store.startBlobPut(digest);
          } else if (req.resourceName !== '' && req.resourceName !== name) {
            throw new CallFailure(failure(status.INVALID_ARGUMENT, `resource_name changed within one write (${name}, then ${req.resourceName})`));
          }
          if (finished) throw new CallFailure(failure(status.INVALID_ARGUMENT, 'data after finish_write'));
          if (req.writeOffset !== upload.size) throw new CallFailure(failure(status.INVALID_ARGUMENT, `write_offset ${req.writeOffset}, but ${upload.size} bytes were written`));
          if (upload.size + req.data.length > size) throw new CallFailure(failure(status.INVALID_ARGUMENT, `more than the ${size} bytes the resource name declares`));
          if (req.data.length > 0) await upload.write(req.data);
          finished = req.finishWrite;
        }
        if (!upload) throw new CallFailure(failure(status.INVALID_ARGUMENT, 'no WriteRequest'));
        if (!finished) throw new CallFailure(failure(status.INVALID_ARGUMENT, 'the stream ended without finish_write'));
        await upload.commit();
        callback(null, { committedSize: upload.size });
      } catch (e) {
        await upload?.abort();
        callback(statusOf(e));
      }
    },

    async QueryWriteStatus(call, callback) {
      const no = denied(tokens, call.metadata, 'read-write');
      if (no) return callback(no);
      const digest = parseBlobResource(call.request.resourceName, 'write');
      if (!digest) return callback(failure(status.INVALID_ARGUMENT, `${call.request.resourceName}: not an upload's resource name`));
      try {
        const have = (await store.findMissing([digest], { fresh: true })).length === 0;
        callback(null, have ? { committedSize: digest.size, complete: true } : { committedSize: 0, complete: false });
      } catch (e) {
        callback(statusOf(e));
      }
    },
  };
}

/** Until the client takes more (or goes away). */
function drained(call: ServerWritableStream<ReadRequest, Outgoing<ReadResponse>>): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      call.off('drain', done);
      call.off('cancelled', done);
      call.off('close', done);
      resolve();
    };
    call.on('drain', done);
    call.on('cancelled', done);
    call.on('close', done);
  });
}
