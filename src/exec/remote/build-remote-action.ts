// A Command and an Action over an input root, encoded canonically: environment variables
// sorted by name, platform properties by name then value, fields in tag order (protobuf
// encoding of our protos), so the action digest (of the encoded Action) depends on what the
// action is, never on the order the caller listed things in. output_files is sorted too, as
// REAPI 2.0 requires; the caller's order is kept beside it for reading results.
import { digestBytes } from '../../hashing/create-hasher.js';
import type { DigestAlgorithm } from '../../hashing/types.js';
import { encodeReapiMessage } from '../../reapi/load-reapi-protos.js';
import { toWireDigest } from '../../reapi/wire-digest.js';
import type { CommandSpec, InputRoot, RemoteAction } from './types.js';

export interface ActionOptions {
  algorithm: DigestAlgorithm;
  /** Sent as Action.timeout (servers may enforce it; the client enforces its own). */
  timeoutMs?: number;
  /** Keeps the server from caching the result (and from answering from its cache). */
  doNotCache?: boolean;
  /** Action.salt: a different salt is a different action. */
  salt?: Buffer;
}

const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

export function buildRemoteAction(inputRoot: InputRoot, spec: CommandSpec, opts: ActionOptions): RemoteAction {
  if (spec.arguments.length === 0) throw new Error('a Command needs at least one argument');
  const outputs = [...new Set(spec.outputFiles)];
  for (const o of outputs) if (o === '' || o.startsWith('/') || o.endsWith('/')) throw new Error(`not a relative output path: ${JSON.stringify(o)}`);
  const platform = {
    properties: [...spec.platform].sort((a, b) => byBytes(a.name, b.name) || byBytes(a.value, b.value)),
  };
  const command = encodeReapiMessage('build.bazel.remote.execution.v2.Command', {
    arguments: spec.arguments,
    environmentVariables: [...spec.env.keys()].sort(byBytes).map((name) => ({ name, value: spec.env.get(name)! })),
    outputFiles: [...outputs].sort(byBytes),
    platform,
    workingDirectory: spec.workingDirectory,
  });
  const commandDigest = digestBytes(opts.algorithm, command);
  const timeout = opts.timeoutMs === undefined ? null : { seconds: Math.floor(opts.timeoutMs / 1000), nanos: (opts.timeoutMs % 1000) * 1e6 };
  const action = encodeReapiMessage('build.bazel.remote.execution.v2.Action', {
    commandDigest: toWireDigest(commandDigest),
    inputRootDigest: toWireDigest(inputRoot.digest),
    timeout,
    doNotCache: opts.doNotCache ?? false,
    salt: opts.salt ?? Buffer.alloc(0),
    // REAPI 2.2 moved the platform to the Action too; servers of 2.0 read the Command's.
    platform,
  });
  return { digest: digestBytes(opts.algorithm, action), action, command, commandDigest, inputRoot, outputFiles: outputs };
}
