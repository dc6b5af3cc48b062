// The proof for a `ghc -c` run on an executor (docs/remote-execution.md, "GHC"): the executor
// traced every question the compile asked, and each must have had the answer there that it has
// here. Found there and gone here, or absent there (the guessed root lacked it) and present
// here: not proven. Found there on the executor's own disk rather than in the root: not proven,
// unless it is a directory or lies in the system's trees outside ghc's library directory: ghc's
// C toolchain (gcc, as, CPP's stdc-predef.h) and the system libraries a splice loads are the
// executor's, as its loader and glibc are for every action, and a root at `/` cannot place
// files beside them. Then the trace must be one a local fill's would be stored under
// (ghcTraced), and each file read must still be the one sent.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { EXECUTOR_TMP } from '../../exec/remote/map-remote-trace.js';
import { mirrorHostFiles, type DigestMemo } from '../../exec/remote/mirror-host-files.js';
import { GHC_TRACE_FILE } from '../../exec/remote/create-ghc-executor.js';
import type { LookupAnswer } from '../../exec/parse-lookup-trace.js';
import type { RemoteLookups } from '../../exec/remote/types.js';
import type { CacheContext } from '../cache-context.js';
import { under } from '../trace-coverage.js';
import { SYSTEM_TREES } from '../system-trees.js';
import type { GhcCall, GhcKeyed } from './ghc-call.js';
import { ghcTraced, type GhcInputs } from './ghc-trace.js';

export type GhcRemoteProof = { kind: 'proven'; learned: GhcInputs } | { kind: 'unproven'; why: string };

/** `outputs`: absolute; `env`: the caller's environment, which the entry's variables are read from. */
export async function verifyGhcRemote(ctx: CacheContext, c: GhcCall, k: GhcKeyed, lookups: RemoteLookups, outputs: readonly string[], memo: DigestMemo): Promise<GhcRemoteProof> {
  const own = [EXECUTOR_TMP, join(c.cwd, GHC_TRACE_FILE)];
  const written = new Set(outputs.flatMap((o) => [o, `${o}.tmp`]));
  const skip = [...own, '/proc', '/dev', '/sys'];
  const mine = (p: string): boolean => written.has(p) || under(p, skip);
  const executorsOwn = (p: string): boolean => under(p, SYSTEM_TREES) && !under(p, [k.tool.libDir]);
  const look = ctx.listings.look();
  for (const [path, answer, kind] of answers(lookups)) {
    if (mine(path) || answer === 'error' || path === '/') continue;
    const here = look.exists(path);
    if (answer === 'found' && !here) return { kind: 'unproven', why: `${path} is gone here` };
    if (answer === 'absent' && here) return { kind: 'unproven', why: `${path} is absent there and present here` };
    if (answer === 'found' && lookups.outside.has(path) && !executorsOwn(path) && !statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
      return { kind: 'unproven', why: `it ${kind === 'look' ? 'found' : kind} ${path} on the executor's own disk` };
    }
  }
  const traced = await ghcTraced(lookups.trace, {
    own, outputs, libDir: k.tool.libDir, cwd: c.cwd, source: join(c.cwd, c.job.source), env: c.env, files: k.files,
    artefactSuffixes: [c.job.layout.osuf, c.job.layout.hisuf, c.job.layout.dynosuf, c.job.layout.dynhisuf],
  });
  if (traced.kind === 'unstored') return { kind: 'unproven', why: `its trace would not be stored (${traced.reason}): it ${traced.what}` };
  // Each file read is still the one sent (a file changed since the root was built would key other bytes).
  let now;
  try {
    now = await mirrorHostFiles(traced.learned.inputs.filter((i) => !executorsOwn(i.path) || lookups.sent.has(i.path)).map((i) => i.path), { algorithm: 'sha256', memo });
  } catch (e) {
    return { kind: 'unproven', why: (e as Error).message };
  }
  const changed = now.find((f) => lookups.sent.get(`/${f.path}`) !== f.digest.hash);
  if (changed) return { kind: 'unproven', why: `/${changed.path} is not what was sent` };
  return { kind: 'proven', learned: traced.learned };
}

/** Every path the compile read, looked at or listed, with the executor's answer. */
function* answers(l: RemoteLookups): Generator<[string, LookupAnswer, 'read' | 'look' | 'listed']> {
  for (const [p, a] of l.trace.reads) yield [p, a, 'read'];
  for (const [p, a] of l.trace.looks) yield [p, a, 'look'];
  for (const [p, a] of l.trace.listed) yield [p, a, 'listed'];
}
