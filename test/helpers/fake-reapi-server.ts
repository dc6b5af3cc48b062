// A small in-memory REAPI server (grpc-js, reprise's own protos) for what Bazel's worker cannot
// show: TLS, the metadata every call carries, the capabilities a server announces, BLAKE3
// requests, and how many calls are in flight at once.
import * as grpc from '@grpc/grpc-js';
import { decodeReapiMessage, loadReapiProtos } from '../../src/reapi/load-reapi-protos.js';
import type {
  BatchReadBlobsRequest,
  BatchReadBlobsResponse,
  BatchUpdateBlobsRequest,
  BatchUpdateBlobsResponse,
  ExecuteRequest,
  Operation,
  WaitExecutionRequest,
  FindMissingBlobsRequest,
  FindMissingBlobsResponse,
  GetActionResultRequest,
  GetCapabilitiesRequest,
  Outgoing,
  ReadRequest,
  ReadResponse,
  RequestMetadata,
  ServerCapabilities,
  UpdateActionResultRequest,
  WireActionResult,
  WriteRequest,
  WriteResponse,
} from '../../src/reapi/types.js';

export interface SeenCall {
  method: string;
  metadata: grpc.Metadata;
  requestMetadata: RequestMetadata | undefined;
  /** digest_function of the request, or the resource name of a ByteStream call. */
  detail: string;
}

export interface FakeReapiServer {
  port: number;
  calls: SeenCall[];
  blobs: Map<string, Buffer>;
  /** The most calls that were in their handlers at once. */
  maxInFlight: number;
  close(): Promise<void>;
}

export interface FakeReapiOptions {
  capabilities: Outgoing<ServerCapabilities>;
  credentials?: grpc.ServerCredentials;
  /** Each unary call waits this long in its handler. */
  delayMs?: number;
  /** Answer BatchReadBlobs with UNIMPLEMENTED, as Bazel's worker does. */
  noBatchRead?: boolean;
  /** Asked at each ByteStream Read: 'hang' never answers, 'unavailable' fails the call as a lost connection does. */
  readFault?: (resourceName: string) => 'hang' | 'unavailable' | undefined;
  /** Serve the Execution service with these handlers (given the CAS, to read inputs and store outputs). */
  execution?: (blobs: Map<string, Buffer>) => FakeExecution;
}

/** Scripted Execute and WaitExecution handlers (their calls are recorded like the others'). */
export interface FakeExecution {
  Execute(call: grpc.ServerWritableStream<ExecuteRequest, Outgoing<Operation>>): void;
  WaitExecution(call: grpc.ServerWritableStream<WaitExecutionRequest, Outgoing<Operation>>): void;
}

const V2 = 'build.bazel.remote.execution.v2';
const key = (hash: string, size: number): string => `${hash}/${size}`;

export async function startFakeReapiServer(opts: FakeReapiOptions): Promise<FakeReapiServer> {
  const pkg = loadReapiProtos();
  const server = new grpc.Server();
  const calls: SeenCall[] = [];
  const blobs = new Map<string, Buffer>();
  const actions = new Map<string, Buffer>();
  const state = { inFlight: 0, maxInFlight: 0 };

  const see = (method: string, metadata: grpc.Metadata, detail: string): void => {
    const raw = metadata.get('build.bazel.remote.execution.v2.requestmetadata-bin')[0];
    calls.push({ method, metadata, requestMetadata: Buffer.isBuffer(raw) ? decodeReapiMessage(`${V2}.RequestMetadata`, raw) : undefined, detail });
  };
  /** A unary handler that records the call and holds it for delayMs. */
  function unary<Req, Res>(method: string, detail: (r: Req) => string, answer: (r: Req) => Outgoing<Res> | grpc.StatusObject): grpc.handleUnaryCall<Req, Outgoing<Res>> {
    return (call, callback) => {
      see(method, call.metadata, detail(call.request));
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      setTimeout(() => {
        state.inFlight--;
        const res = answer(call.request);
        if (isStatus(res)) callback(res);
        else callback(null, res);
      }, opts.delayMs ?? 0);
    };
  }
  const notFound = (what: string): grpc.StatusObject => ({ code: grpc.status.NOT_FOUND, details: `${what} not found`, metadata: new grpc.Metadata() });

  server.addService(pkg[`${V2}.Capabilities`] as unknown as grpc.ServiceDefinition, {
    GetCapabilities: unary<GetCapabilitiesRequest, ServerCapabilities>('GetCapabilities', () => '', () => opts.capabilities),
  });
  server.addService(pkg[`${V2}.ContentAddressableStorage`] as unknown as grpc.ServiceDefinition, {
    FindMissingBlobs: unary<FindMissingBlobsRequest, FindMissingBlobsResponse>('FindMissingBlobs', (r) => String(r.digestFunction), (r) => ({
      missingBlobDigests: r.blobDigests.filter((d) => !blobs.has(key(d.hash, d.sizeBytes))),
    })),
    BatchUpdateBlobs: unary<BatchUpdateBlobsRequest, BatchUpdateBlobsResponse>('BatchUpdateBlobs', (r) => String(r.digestFunction), (r) => ({
      responses: r.requests.map((x) => {
        if (x.digest) blobs.set(key(x.digest.hash, x.digest.sizeBytes), x.data);
        return { digest: x.digest, status: { code: grpc.status.OK } };
      }),
    })),
    BatchReadBlobs: unary<BatchReadBlobsRequest, BatchReadBlobsResponse>('BatchReadBlobs', (r) => String(r.digestFunction), (r) =>
      opts.noBatchRead
        ? { code: grpc.status.UNIMPLEMENTED, details: 'no BatchReadBlobs here', metadata: new grpc.Metadata() }
        : {
            responses: r.digests.map((d) => {
              const data = blobs.get(key(d.hash, d.sizeBytes));
              return data ? { digest: d, data, status: { code: grpc.status.OK } } : { digest: d, status: { code: grpc.status.NOT_FOUND } };
            }),
          },
    ),
  });
  server.addService(pkg[`${V2}.ActionCache`] as unknown as grpc.ServiceDefinition, {
    GetActionResult: unary<GetActionResultRequest, WireActionResult>('GetActionResult', (r) => String(r.digestFunction), (r) => {
      const bytes = r.actionDigest && actions.get(r.actionDigest.hash);
      return bytes ? decodeReapiMessage(`${V2}.ActionResult`, bytes) : notFound('action result');
    }),
    UpdateActionResult: unary<UpdateActionResultRequest, WireActionResult>('UpdateActionResult', (r) => String(r.digestFunction), (r) => {
      const encoded = (pkg[`${V2}.ActionResult`] as { serialize(v: object): Buffer }).serialize(r.actionResult ?? {});
      if (r.actionDigest) actions.set(r.actionDigest.hash, encoded);
      return r.actionResult ?? {};
    }),
  });
  server.addService(pkg['google.bytestream.ByteStream'] as unknown as grpc.ServiceDefinition, {
    Read: ((call: grpc.ServerWritableStream<ReadRequest, Outgoing<ReadResponse>>) => {
      see('Read', call.metadata, call.request.resourceName);
      const fault = opts.readFault?.(call.request.resourceName);
      if (fault === 'hang') return;
      if (fault === 'unavailable') return call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'the connection was lost', metadata: new grpc.Metadata() });
      const [hash, size] = call.request.resourceName.split('/').slice(-2);
      const data = blobs.get(key(hash ?? '', Number(size)));
      if (!data) return call.emit('error', notFound(call.request.resourceName));
      for (let i = 0; i < data.length; i += 64 << 10) call.write({ data: data.subarray(i, i + (64 << 10)) });
      call.end();
    }) as grpc.handleServerStreamingCall<ReadRequest, Outgoing<ReadResponse>>,
    Write: ((call: grpc.ServerReadableStream<WriteRequest, Outgoing<WriteResponse>>, callback: grpc.sendUnaryData<Outgoing<WriteResponse>>) => {
      const chunks: Buffer[] = [];
      let name = '';
      call.on('data', (r: WriteRequest) => {
        if (name === '') {
          name = r.resourceName;
          see('Write', call.metadata, name);
        }
        chunks.push(r.data);
      });
      call.on('end', () => {
        const [hash, size] = name.split('/').slice(-2);
        const data = Buffer.concat(chunks);
        blobs.set(key(hash ?? '', Number(size)), data);
        callback(null, { committedSize: data.length });
      });
    }) as grpc.handleClientStreamingCall<WriteRequest, Outgoing<WriteResponse>>,
  });

  if (opts.execution) {
    const exec = opts.execution(blobs);
    server.addService(pkg[`${V2}.Execution`] as unknown as grpc.ServiceDefinition, {
      Execute: ((call: grpc.ServerWritableStream<ExecuteRequest, Outgoing<Operation>>) => {
        see('Execute', call.metadata, call.request.actionDigest?.hash ?? '');
        exec.Execute(call);
      }) as grpc.handleServerStreamingCall<ExecuteRequest, Outgoing<Operation>>,
      WaitExecution: ((call: grpc.ServerWritableStream<WaitExecutionRequest, Outgoing<Operation>>) => {
        see('WaitExecution', call.metadata, call.request.name);
        exec.WaitExecution(call);
      }) as grpc.handleServerStreamingCall<WaitExecutionRequest, Outgoing<Operation>>,
    });
  }

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', opts.credentials ?? grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return {
    port,
    calls,
    blobs,
    get maxInFlight() {
      return state.maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
}

function isStatus(x: unknown): x is grpc.StatusObject {
  return typeof x === 'object' && x !== null && 'code' in x && 'details' in x && 'metadata' in x;
}
