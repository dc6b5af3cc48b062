// The proof for a compile sent without its own pre-pass (input-guesses.ts): the executor traced
// every question the compile asked, and each must have had the answer there that it has here.
// The input root is made of this host's files, so what the compile found there is here too;
// what it found absent there must be absent here, or the root hid it (a guess that missed a
// header `__has_include` or the include search asks about). Then the trace must be one the key
// covers, as a local fill's is (learn-traced.ts), and each file read must still be the one sent.
import { statSync } from 'node:fs';
import { join, normalize, resolve } from 'node:path';
import { ACTION_FILES } from '../../exec/remote/build-gcc-action.js';
import { mirrorHostFiles, type DigestMemo } from '../../exec/remote/mirror-host-files.js';
import { EXECUTOR_TMP } from '../../exec/remote/map-remote-trace.js';
import type { RemoteLookups } from '../../exec/remote/types.js';
import type { LookupAnswer } from '../../exec/parse-lookup-trace.js';
import type { CacheContext } from '../cache-context.js';
import type { CompileCall } from '../cached-compile.js';
import type { Learned } from '../learn-inputs.js';
import { learnTraced } from '../learn-traced.js';
import { jobOutputs } from '../place-outputs.js';

export type RemoteProof = { kind: 'proven'; learned: Learned } | { kind: 'unproven'; why: string };

/** Kernel files, the same here as there, and the executor's private /tmp as mapped. */
const NOT_HOST = ['/proc', '/dev', '/sys', EXECUTOR_TMP];

export async function verifyRemoteTrace(ctx: CacheContext, c: CompileCall, lookups: RemoteLookups, memo: DigestMemo): Promise<RemoteProof> {
  if (lookups.reads === undefined) return { kind: 'unproven', why: 'no depfile came back with its trace' };
  const own = [EXECUTOR_TMP, ...ACTION_FILES.map((f) => join(c.cwd, f))];
  const taught = await learnTraced(ctx, c, lookups.reads, lookups.trace, own);
  if (taught.kind === 'gap') return { kind: 'unproven', why: `its trace is not covered (${taught.reason})` };
  const learned = taught.learned;
  const outputs = new Set(jobOutputs(c.job).map((o) => normalize(resolve(c.cwd, o.path))));
  const notHost = [...NOT_HOST, ...own];
  const mine = (p: string): boolean => outputs.has(p) || notHost.some((o) => p === o || p.startsWith(`${o}/`));
  // From directory listings: a compile's hundreds of probes fall in a few dozen directories.
  const look = ctx.listings.look();
  for (const [path, answer, kind] of answers(lookups)) {
    if (mine(path) || answer === 'error') continue;
    const here = look.exists(path);
    if (answer === 'found' && !here) return { kind: 'unproven', why: `${path} is gone here` };
    // The executor's own disk outside the root (the driver's configured prefixes, asked after the relocated ones): the same question as here, and only an answer that carries no content.
    if (answer === 'found' && lookups.outside.has(path) && (kind !== 'look' || !statSync(path, { throwIfNoEntry: false })?.isDirectory())) return { kind: 'unproven', why: `it ${kind === 'look' ? 'found' : kind} ${path} on the executor's own disk` };
    if (answer === 'absent' && here) return { kind: 'unproven', why: `${path} is absent there and present here` };
  }
  // Each file read is still the one sent (a file changed after the root was built would key other bytes).
  let inputs;
  try {
    inputs = await mirrorHostFiles(learned.inputs.map((i) => i.path), { algorithm: 'sha256', memo });
  } catch (e) {
    return { kind: 'unproven', why: (e as Error).message };
  }
  const changed = inputs.find((f) => lookups.sent.get(f.path) !== f.digest.hash);
  if (changed) return { kind: 'unproven', why: `/${changed.path} is not what was sent` };
  return { kind: 'proven', learned };
}

/** Every path a remote compile read, looked at or listed, with the executor's answer. */
export function* answers(l: RemoteLookups): Generator<[string, LookupAnswer, 'read' | 'look' | 'listed']> {
  for (const [p, a] of l.trace.reads) yield [p, a, 'read'];
  for (const [p, a] of l.trace.looks) yield [p, a, 'look'];
  for (const [p, a] of l.trace.listed) yield [p, a, 'listed'];
}
