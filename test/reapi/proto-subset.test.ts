// reprise's REAPI protos (src/reapi/proto) against the ones Debian's bazel-bootstrap-source
// ships (Bazel 4.2.3): every message, enum and service we define must exist there, and each of
// our fields, enum values and methods must match one of theirs by number, name, type, label and
// oneof. The few REAPI v2.3 additions (newer than Bazel 4.2.3) are listed, and must not reuse a
// number theirs has or reserves. Locally a machine without the package skips; CI installs it
// (.ci/run), so there a missing package fails.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join } from 'node:path';
import test from 'node:test';
import { REAPI_PROTO_DIR, REAPI_PROTO_FILES } from '../../src/reapi/load-reapi-protos.js';

/** Fields and enum values of REAPI v2.3 that Bazel 4.2.3's copy predates. */
const NEWER_THAN_REFERENCE = new Set([
  'build.bazel.remote.execution.v2.DigestFunction.Value.SHA256TREE',
  'build.bazel.remote.execution.v2.DigestFunction.Value.BLAKE3',
  'build.bazel.remote.execution.v2.ExecuteRequest.digest_function',
  'build.bazel.remote.execution.v2.GetActionResultRequest.digest_function',
  'build.bazel.remote.execution.v2.UpdateActionResultRequest.digest_function',
  'build.bazel.remote.execution.v2.FindMissingBlobsRequest.digest_function',
  'build.bazel.remote.execution.v2.BatchUpdateBlobsRequest.digest_function',
  'build.bazel.remote.execution.v2.BatchReadBlobsRequest.digest_function',
  'build.bazel.remote.execution.v2.GetTreeRequest.digest_function',
]);

// ---------------------------------------------------------------- finding Debian's copy

const REFERENCE_FILES = [
  'build/bazel/remote/execution/v2/remote_execution.proto',
  'google/bytestream/bytestream.proto',
  'google/rpc/status.proto',
  'google/longrunning/operations.proto',
  'google/rpc/error_details.proto',
];

/** The include directories holding Debian's protos, or why there are none. */
function findReference(): { includeDirs: string[] } | { missing: string } {
  let listing: string;
  try {
    listing = execFileSync('dpkg', ['-L', 'bazel-bootstrap-source'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return { missing: 'the Debian package bazel-bootstrap-source is not installed (apt-get install bazel-bootstrap-source)' };
  }
  const includeDirs = new Set<string>();
  for (const rel of REFERENCE_FILES) {
    const path = listing.split('\n').find((p) => p.endsWith(`/${rel}`) && existsSync(p));
    if (!path) return { missing: `bazel-bootstrap-source does not list ${rel}` };
    includeDirs.add(path.slice(0, -rel.length - 1));
  }
  return { includeDirs: [...includeDirs] };
}

// ---------------------------------------------------------------- protobufjs reflection

// protobufjs as @grpc/proto-loader (a dependency) resolves it, typed by the little this test reads.
interface PbObject {
  name: string;
  fullName: string;
}
interface PbNamespace extends PbObject {
  nestedArray: PbObject[];
}
interface PbField extends PbObject {
  id: number;
  type: string;
  repeated: boolean;
  map?: boolean;
  keyType?: string;
  resolvedType: PbObject | null;
  partOf: PbObject | null;
}
interface PbType extends PbNamespace {
  fieldsArray: PbField[];
  reserved?: Array<number[] | string> | null;
}
interface PbEnum extends PbObject {
  values: Record<string, number>;
}
interface PbMethod extends PbObject {
  requestStream?: boolean;
  responseStream?: boolean;
  resolvedRequestType: PbObject | null;
  resolvedResponseType: PbObject | null;
}
interface PbService extends PbNamespace {
  methodsArray: PbMethod[];
}
interface PbRoot extends PbNamespace {
  resolvePath: (origin: string, target: string) => string;
  loadSync(files: string[], options: { keepCase: boolean }): PbRoot;
  resolveAll(): PbRoot;
}
interface Protobufjs {
  Root: new () => PbRoot;
  Type: new (...args: never[]) => PbType;
  Enum: new (...args: never[]) => PbEnum;
  Service: new (...args: never[]) => PbService;
}
const require = createRequire(import.meta.url);
const pb = createRequire(require.resolve('@grpc/proto-loader'))('protobufjs') as Protobufjs;
// Loading proto-loader adds google/protobuf/descriptor.proto to protobufjs's common protos, which the REAPI protos import.
require('@grpc/proto-loader');

function load(includeDirs: string[], files: readonly string[]): PbRoot {
  const root = new pb.Root();
  root.resolvePath = (_origin, target) => {
    if (isAbsolute(target)) return target;
    // google/protobuf/*.proto are protobufjs's bundled copies, found by that name.
    return includeDirs.map((d) => join(d, target)).find((p) => existsSync(p)) ?? target;
  };
  return root.loadSync([...files], { keepCase: true }).resolveAll();
}

/** Every message, enum and service below `root`, by full name (with its leading dot). */
function definitions(ns: PbNamespace, out = new Map<string, PbObject>()): Map<string, PbObject> {
  for (const obj of ns.nestedArray) {
    if (obj instanceof pb.Type || obj instanceof pb.Enum || obj instanceof pb.Service) out.set(obj.fullName, obj);
    if ('nestedArray' in obj && Array.isArray(obj.nestedArray)) definitions(obj as PbNamespace, out);
  }
  return out;
}

function describeField(f: PbField): string {
  const type = f.resolvedType ? f.resolvedType.fullName : f.type;
  const shape = f.map ? `map<${f.keyType ?? '?'}, ${type}>` : `${f.repeated ? 'repeated ' : ''}${type}`;
  return `${shape} ${f.name} = ${f.id}${f.partOf ? ` (oneof ${f.partOf.name})` : ''}`;
}

function describeMethod(m: PbMethod): string {
  const req = `${m.requestStream ? 'stream ' : ''}${m.resolvedRequestType?.fullName ?? '?'}`;
  const res = `${m.responseStream ? 'stream ' : ''}${m.resolvedResponseType?.fullName ?? '?'}`;
  return `rpc ${m.name}(${req}) returns (${res})`;
}

function isReserved(t: PbType, id: number, name: string): boolean {
  return (t.reserved ?? []).some((r) => (typeof r === 'string' ? r === name : id >= (r[0] ?? 0) && id <= (r[1] ?? -1)));
}

// ---------------------------------------------------------------- the comparison

const reference = findReference();
const skip = 'missing' in reference ? (process.env.CI ? false : reference.missing) : false;

test('our REAPI proto subset matches the REAPI protos Debian ships (bazel-bootstrap-source)', { skip }, () => {
  if ('missing' in reference) assert.fail(reference.missing);
  const ours = definitions(load([REAPI_PROTO_DIR], REAPI_PROTO_FILES));
  const theirs = definitions(load(reference.includeDirs, REFERENCE_FILES));
  const problems: string[] = [];
  let compared = 0;
  let newer = 0;
  for (const [name, def] of ours) {
    if (name.startsWith('.google.protobuf.')) continue; // protobufjs's bundled well-known types
    const ref = theirs.get(name);
    if (!ref) {
      problems.push(`${name}: not in the reference`);
      continue;
    }
    compared++;
    if (def instanceof pb.Type && ref instanceof pb.Type) {
      for (const f of def.fieldsArray) {
        const mine = describeField(f);
        const same = ref.fieldsArray.find((r) => r.id === f.id);
        if (NEWER_THAN_REFERENCE.has(`${name.slice(1)}.${f.name}`)) {
          newer++;
          if (same || isReserved(ref, f.id, f.name)) problems.push(`${name}: v2.3 field ${mine} collides with the reference's ${same ? describeField(same) : 'reserved numbers'}`);
        } else if (!same) problems.push(`${name}: ${mine} has no field numbered ${f.id} in the reference`);
        else if (describeField(same) !== mine) problems.push(`${name}: ${mine}, the reference has ${describeField(same)}`);
      }
    } else if (def instanceof pb.Enum && ref instanceof pb.Enum) {
      for (const [value, id] of Object.entries(def.values)) {
        const refId = ref.values[value];
        if (NEWER_THAN_REFERENCE.has(`${name.slice(1)}.${value}`)) {
          newer++;
          if (refId !== undefined || Object.values(ref.values).includes(id)) problems.push(`${name}: v2.3 value ${value} = ${id} collides with the reference`);
        } else if (refId !== id) problems.push(`${name}: ${value} = ${id}, the reference has ${refId === undefined ? 'no such value' : `${value} = ${refId}`}`);
      }
    } else if (def instanceof pb.Service && ref instanceof pb.Service) {
      for (const m of def.methodsArray) {
        const same = ref.methodsArray.find((r) => r.name === m.name);
        if (!same || describeMethod(same) !== describeMethod(m)) problems.push(`${name}: ${describeMethod(m)}, the reference has ${same ? describeMethod(same) : 'no such method'}`);
      }
    } else problems.push(`${name}: a different kind of definition in the reference`);
  }
  assert.deepEqual(problems, []);
  assert.equal(newer, NEWER_THAN_REFERENCE.size, 'every listed v2.3 addition is one of ours');
  // What reprise relies on is there (a broken loader would compare nothing).
  for (const name of ['ActionResult', 'ContentAddressableStorage', 'ActionCache', 'Capabilities', 'Execution', 'RequestMetadata', 'DigestFunction.Value']) {
    assert.ok(ours.has(`.build.bazel.remote.execution.v2.${name}`), name);
  }
  assert.ok(ours.has('.google.bytestream.ByteStream') && ours.has('.google.longrunning.Operation') && ours.has('.google.rpc.Status'));
  assert.ok(ours.has('.google.rpc.PreconditionFailure') && ours.has('.google.rpc.PreconditionFailure.Violation'), 'Execute\'s missing-input details');
  assert.ok(compared >= 60, `compared ${compared} definitions`);
});
