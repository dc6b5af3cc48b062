// A REAPI client for tests, made from reprise's protos with @grpc/grpc-js: typed unary calls,
// ByteStream Read and Write, and raw calls for bytes a normal client would not send.
import { Client, credentials, Metadata, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import { reapiMethod } from '../../src/reapi/load-reapi-protos.js';
import type { Outgoing, ReapiServerStreamCalls, ReapiUnaryCalls, WriteRequest, WriteResponse } from '../../src/reapi/types.js';

export interface ReapiTestClient {
  unary<K extends keyof ReapiUnaryCalls>(name: K, request: Outgoing<ReapiUnaryCalls[K]['request']>): Promise<ReapiUnaryCalls[K]['response']>;
  /** A unary call whose request is given as encoded bytes, answered as bytes. */
  raw(name: keyof ReapiUnaryCalls, request: Buffer): Promise<Buffer>;
  serverStream<K extends keyof ReapiServerStreamCalls>(name: K, request: Outgoing<ReapiServerStreamCalls[K]['request']>): Promise<Array<ReapiServerStreamCalls[K]['response']>>;
  read(resourceName: string, readOffset?: number, readLimit?: number): Promise<Buffer>;
  write(requests: Array<Outgoing<WriteRequest>>): Promise<WriteResponse>;
  close(): void;
}

export function createReapiTestClient(target: string, opts: { token?: string; creds?: ChannelCredentials } = {}): ReapiTestClient {
  const client = new Client(target, opts.creds ?? credentials.createInsecure());
  const metadata = (): Metadata => {
    const m = new Metadata();
    if (opts.token !== undefined) m.set('authorization', `Bearer ${opts.token}`);
    return m;
  };
  const settle = <T>(resolve: (v: T) => void, reject: (e: ServiceError) => void) => (err: ServiceError | null, value?: T): void => {
    if (err) reject(err);
    else resolve(value as T);
  };
  return {
    unary(name, request) {
      const m = reapiMethod(name);
      return new Promise((resolve, reject) => {
        client.makeUnaryRequest(m.path, m.requestSerialize, m.responseDeserialize, request, metadata(), settle(resolve as (v: object) => void, reject));
      });
    },
    raw(name, request) {
      const m = reapiMethod(name);
      return new Promise((resolve, reject) => {
        client.makeUnaryRequest(m.path, (b: Buffer) => b, (b: Buffer) => b, request, metadata(), settle(resolve, reject));
      });
    },
    serverStream(name, request) {
      const m = reapiMethod(name);
      return new Promise((resolve, reject) => {
        const out: Array<ReapiServerStreamCalls[typeof name]['response']> = [];
        const call = client.makeServerStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, request, metadata());
        call.on('data', (r: ReapiServerStreamCalls[typeof name]['response']) => out.push(r));
        call.on('error', reject);
        call.on('end', () => resolve(out));
      });
    },
    async read(resourceName, readOffset = 0, readLimit = 0) {
      const responses = await this.serverStream('Read', { resourceName, readOffset, readLimit });
      return Buffer.concat(responses.map((r) => r.data));
    },
    write(requests) {
      const m = reapiMethod('Write');
      return new Promise((resolve, reject) => {
        const call = client.makeClientStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, metadata(), settle(resolve as (v: object) => void, reject));
        for (const r of requests) call.write(r);
        call.end();
      });
    },
    close: () => client.close(),
  };
}
