// Loads reprise's REAPI protos (src/reapi/proto) once, with @grpc/proto-loader. The .proto files
// are read from the package root at run time (never copied into dist/): installPaths.root is
// the checkout or the installed package, for dist/src and dist/test alike.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { MessageTypeDefinition, MethodDefinition, Options, PackageDefinition } from '@grpc/proto-loader';
import { installPaths } from '../runtime/install-paths.js';
import { REAPI_SERVICE_OF, type Outgoing, type ReapiMessages } from './types.js';

export const REAPI_PROTO_DIR = join(installPaths.root, 'src', 'reapi', 'proto');

/** The entry files; they import the rest (google/rpc, google/longrunning, build/bazel/semver). */
export const REAPI_PROTO_FILES: readonly string[] = ['build/bazel/remote/execution/v2/remote_execution.proto', 'google/bytestream/bytestream.proto', 'google/rpc/error_details.proto'];

/**
 * How messages look in JS, the shapes of src/reapi/types.ts: camelCase field names, int64 as
 * number (sizes and offsets stay far below 2^53), bytes as Buffer, enums as numbers, every
 * absent field at its default (a message as null), oneofs named in a virtual field.
 */
export const REAPI_LOAD_OPTIONS: Options = { keepCase: false, longs: Number, bytes: Buffer, defaults: true, arrays: true, oneofs: true };

let loaded: PackageDefinition | undefined;

export function loadReapiProtos(): PackageDefinition {
  // Required on first use: a daemon without remotes never pays for loading proto-loader.
  loaded ??= (createRequire(import.meta.url)('@grpc/proto-loader') as typeof import('@grpc/proto-loader')).loadSync([...REAPI_PROTO_FILES], { ...REAPI_LOAD_OPTIONS, includeDirs: [REAPI_PROTO_DIR] });
  return loaded;
}

/**
 * Loads the protos on the next turn of a daemon that will use them (remote tiers, executors),
 * while it waits for its first call, rather than inside a build's first remote hit or miss. A
 * failure is left for the first use to report.
 */
export function preloadReapiProtos(): void {
  setImmediate(() => {
    try {
      loadReapiProtos();
    } catch {
      /* the first encode or decode reports it */
    }
  }).unref();
}

/** A method's definition (path, serializers) by its name in src/reapi/types.ts's call tables. */
export function reapiMethod(name: keyof typeof REAPI_SERVICE_OF): MethodDefinition<object, object> {
  const service = loadReapiProtos()[REAPI_SERVICE_OF[name]];
  const method = service && !('format' in service) ? service[name] : undefined;
  if (!method) throw new Error(`REAPI protos: no method ${REAPI_SERVICE_OF[name]}.${name}`);
  return method;
}

function messageType(name: keyof ReapiMessages): MessageTypeDefinition<object, object> {
  const type = loadReapiProtos()[name];
  if (!type || type.format !== 'Protocol Buffer 3 DescriptorProto') throw new Error(`REAPI protos: no message ${name}`);
  return type as MessageTypeDefinition<object, object>;
}

/** Protobuf binary of a message (fields in tag order, as REAPI's canonical form wants). */
export function encodeReapiMessage<K extends keyof ReapiMessages>(name: K, value: Outgoing<ReapiMessages[K]>): Buffer {
  return messageType(name).serialize(value as object);
}

/** Decodes protobuf binary; throws on malformed bytes (the caller decides what that means). */
export function decodeReapiMessage<K extends keyof ReapiMessages>(name: K, bytes: Buffer): ReapiMessages[K] {
  return messageType(name).deserialize(bytes) as ReapiMessages[K];
}
