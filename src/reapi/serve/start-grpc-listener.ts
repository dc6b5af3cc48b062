import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { loadReapiProtos } from '../load-reapi-protos.js';
import { actionCacheService } from './action-cache-service.js';
import { byteStreamService } from './byte-stream-service.js';
import { capabilitiesService, MAX_BATCH_TOTAL_SIZE_BYTES } from './capabilities-service.js';
import { casService } from './cas-service.js';
import type { OperationQueue } from './execute/create-operation-queue.js';
import { executionService } from './execute/execution-service.js';
import { formatListenAddress } from './parse-listen-address.js';
import { takeMessageField } from './take-message-field.js';
import type { Listener } from './start-http-listener.js';
import type { ListenAddress, ServeStore, TlsFiles, TokenTable } from './types.js';

const V2 = 'build.bazel.remote.execution.v2';

/**
 * REAPI v2 over gRPC (grpcs with TLS files): Capabilities, ContentAddressableStorage,
 * ActionCache and ByteStream over the server's store, and Execution when an operation queue is
 * given (`--execute`; otherwise UNIMPLEMENTED).
 * Messages may be a batch's size plus room for its framing.
 */
export async function startGrpcListener(at: ListenAddress, store: ServeStore, tokens: TokenTable, tls?: TlsFiles, execution?: OperationQueue): Promise<Listener> {
  const server = new Server({ 'grpc.max_receive_message_length': MAX_BATCH_TOTAL_SIZE_BYTES + 1024 * 1024 });
  const add = (def: ServiceDefinition, impl: object): void => server.addService(def, impl as UntypedServiceImplementation);
  add(serviceDefinition(`${V2}.Capabilities`), capabilitiesService(tokens, execution !== undefined));
  if (execution) add(serviceDefinition(`${V2}.Execution`), executionService(store, tokens, execution));
  add(serviceDefinition(`${V2}.ContentAddressableStorage`), casService(store, tokens));
  add(rawActionCacheDefinition(), actionCacheService(store, tokens));
  add(serviceDefinition('google.bytestream.ByteStream'), byteStreamService(store, tokens));
  const creds = tls ? ServerCredentials.createSsl(null, [{ cert_chain: tls.cert, private_key: tls.key }], false) : ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(formatListenAddress(at), creds, (err, bound) => (err ? reject(err) : resolve(bound)));
  });
  return {
    address: { host: at.host, port },
    close: (graceMs) => new Promise<void>((resolve) => {
      const timer = setTimeout(() => server.forceShutdown(), graceMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    }),
  };
}

function serviceDefinition(name: string): ServiceDefinition {
  const def = loadReapiProtos()[name];
  if (!def || 'format' in def) throw new Error(`REAPI protos: no service ${name}`);
  return def as ServiceDefinition;
}

/**
 * ActionCache whose ActionResults stay bytes: UpdateActionResult's request also carries the
 * ActionResult's encoding as sent (field 3), and both methods answer stored bytes unchanged.
 */
function rawActionCacheDefinition(): ServiceDefinition {
  const def = serviceDefinition(`${V2}.ActionCache`);
  const get = def.GetActionResult;
  const update = def.UpdateActionResult;
  if (!get || !update) throw new Error('REAPI protos: ActionCache lacks GetActionResult or UpdateActionResult');
  const asIs = (b: Buffer): Buffer => b;
  return {
    GetActionResult: { ...get, responseSerialize: asIs },
    UpdateActionResult: {
      ...update,
      // The handler checks the ActionResult itself (INVALID_ARGUMENT); malformed framing around it fails the call.
      requestDeserialize: (b: Buffer): object => {
        const { value, rest } = takeMessageField(b, 3);
        return { ...(update.requestDeserialize(rest) as object), actionResultBytes: value };
      },
      responseSerialize: asIs,
    },
  };
}
