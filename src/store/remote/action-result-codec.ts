// REAPI v2 ActionResult in protobuf binary: what the HTTP and Redis backends store under
// /ac/<key>, so an entry reads the same through every protocol (and bazel-remote's AC
// validation accepts it). Field numbers are REAPI v2's.
import protobuf from 'protobufjs';
import type { RemoteActionResult } from './types.js';

const { Type, Field } = protobuf;
const DigestMsg = new Type('Digest').add(new Field('hash', 1, 'string')).add(new Field('sizeBytes', 2, 'int64'));
const OutputFileMsg = new Type('OutputFile')
  .add(new Field('path', 1, 'string'))
  .add(new Field('digest', 2, 'Digest'))
  .add(new Field('isExecutable', 4, 'bool'));
const ActionResultMsg = new Type('ActionResult')
  .add(new Field('outputFiles', 2, 'OutputFile', 'repeated'))
  .add(new Field('exitCode', 4, 'int32'))
  .add(new Field('stdoutRaw', 5, 'bytes'));
new protobuf.Root().define('build.bazel.remote.execution.v2').add(DigestMsg).add(OutputFileMsg).add(ActionResultMsg);

export function encodeActionResult(r: RemoteActionResult): Buffer {
  const msg = ActionResultMsg.fromObject({
    outputFiles: r.outputFiles.map((f) => ({ path: f.path, digest: { hash: f.digest.hash, sizeBytes: f.digest.size }, isExecutable: f.isExecutable })),
    exitCode: r.exitCode,
    stdoutRaw: r.stdoutRaw,
  });
  return Buffer.from(ActionResultMsg.encode(msg).finish());
}

/** The result, or undefined for bytes that are not a well-formed ActionResult with valid digests. */
export function decodeActionResult(bytes: Buffer): RemoteActionResult | undefined {
  let o: { outputFiles?: Array<{ path?: string; digest?: { hash?: string; sizeBytes?: number }; isExecutable?: boolean }>; exitCode?: number; stdoutRaw?: Uint8Array };
  try {
    o = ActionResultMsg.toObject(ActionResultMsg.decode(bytes), { longs: Number, defaults: true }) as typeof o;
  } catch {
    return undefined;
  }
  const outputFiles: RemoteActionResult['outputFiles'] = [];
  for (const f of o.outputFiles ?? []) {
    const hash = f.digest?.hash ?? '';
    const size = f.digest?.sizeBytes ?? -1;
    if (!/^[0-9a-f]{64}$/.test(hash) || !Number.isSafeInteger(size) || size < 0 || typeof f.path !== 'string') return undefined;
    outputFiles.push({ path: f.path, digest: { hash, size }, isExecutable: f.isExecutable === true });
  }
  return { outputFiles, exitCode: o.exitCode ?? 0, stdoutRaw: Buffer.from(o.stdoutRaw ?? new Uint8Array()) };
}
