// The proof for a `ghc -c` run on an executor (docs/remote-execution.md, "GHC"): the executor
// traced every question the compile asked, and each must have had the answer there that it has
// here. Found there and gone here, or absent there (the guessed root lacked it) and present
// here: not proven. A file the compile read, looked at or ran from the executor's own disk
// rather than the root (ghc's C toolchain: the gcc and as it runs, CPP's stdc-predef.h; the
// system libraries a splice loads) must have this host's bytes there: the executor digests
// each (OUTSIDE_DIGESTS_PROPERTY), and a program found by PATH must be the one this host's
// PATH finds. Then the trace must be one a local fill's would be stored under (ghcTraced),
// and each file read from the root must still be the one sent.
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXECUTOR_TMP } from '../../exec/remote/map-remote-trace.js';
import { mirrorHostFiles, type DigestMemo } from '../../exec/remote/mirror-host-files.js';
import { GHC_TRACE_FILE } from '../../exec/remote/create-ghc-executor.js';
import { findOnPath } from '../../exec/find-on-path.js';
import type { RemoteLookups } from '../../exec/remote/types.js';
import type { CacheContext } from '../cache-context.js';
import { under } from '../trace-coverage.js';
import type { GhcCall, GhcKeyed } from './ghc-call.js';
import { answers } from '../remote/verify-remote-trace.js';
import { ancestors, ghcTraced, type GhcInputs } from './ghc-trace.js';
import { ghcTmpDir } from './tmp-dir-divergence.js';

export type GhcRemoteProof = { kind: 'proven'; learned: GhcInputs } | { kind: 'unproven'; why: string };

/** `outputs`: absolute; `env`: the caller's environment, which the entry's variables are read from. */
export async function verifyGhcRemote(ctx: CacheContext, c: GhcCall, k: GhcKeyed, lookups: RemoteLookups, outputs: readonly string[], memo: DigestMemo): Promise<GhcRemoteProof> {
  const own = [EXECUTOR_TMP, join(c.cwd, GHC_TRACE_FILE), ...ghcTempDirs(lookups, ghcTmpDir(c.job.runArgs, c.env))];
  // The outputs, ghc's temporaries beside them, and their directories (the executor makes them, as the local fill does; ghc would).
  const written = new Set(outputs.flatMap((o) => [o, `${o}.tmp`, ...ancestors(o)]));
  const skip = [...own, '/proc', '/dev', '/sys'];
  const mine = (p: string): boolean => written.has(p) || under(p, skip);
  const look = ctx.listings.look();
  // Files found on the executor's own disk: each must be this host's.
  const theirs = new Set<string>();
  for (const [path, answer] of answers(lookups)) {
    if (mine(path) || answer === 'error' || path === '/') continue;
    const here = look.exists(path);
    if (answer === 'found' && !here) return { kind: 'unproven', why: `${path} is gone here` };
    if (answer === 'absent' && here) return { kind: 'unproven', why: `${path} is absent there and present here` };
    if (answer === 'found' && lookups.outside.has(path) && !statSync(path, { throwIfNoEntry: false })?.isDirectory()) theirs.add(path);
  }
  const ran = programsRun(lookups, c.env.get('PATH'));
  if (typeof ran === 'string') return { kind: 'unproven', why: ran };
  for (const p of ran) if (!lookups.sent.has(p)) theirs.add(p);
  const unlike = await notThisHosts([...theirs], lookups, memo);
  if (unlike !== undefined) return { kind: 'unproven', why: unlike };
  const traced = await ghcTraced(lookups.trace, {
    own, outputs, libDir: k.tool.libDir, cwd: c.cwd, source: resolve(c.cwd, c.job.source), env: c.env, files: k.files,
    artefactSuffixes: [c.job.layout.osuf, c.job.layout.hisuf, c.job.layout.dynosuf, c.job.layout.dynhisuf],
  });
  if (traced.kind === 'unstored') return { kind: 'unproven', why: `its trace would not be stored (${traced.reason}): it ${traced.what}` };
  // Each file read is still the one sent (a file changed since the root was built would key other bytes).
  let now;
  try {
    now = await mirrorHostFiles(traced.learned.inputs.filter((i) => !theirs.has(i.path)).map((i) => i.path), { algorithm: 'sha256', memo });
  } catch (e) {
    return { kind: 'unproven', why: (e as Error).message };
  }
  const changed = now.find((f) => lookups.sent.get(`/${f.path}`) !== f.digest.hash);
  if (changed) return { kind: 'unproven', why: `/${changed.path} is not what was sent` };
  return { kind: 'proven', learned: traced.learned };
}


/**
 * The programs the compile ran, by host path: an absolute one as named, one run by a bare name
 * where this host's PATH finds it, which must be where the executor's found it (a string: why not).
 */
function programsRun(l: RemoteLookups, path: string | undefined): string[] | string {
  const out: string[] = [];
  for (const x of l.trace.execs) {
    if (x.startsWith('/')) {
      if (!under(x, ['/proc', '/dev', '/sys', EXECUTOR_TMP])) out.push(x);
      continue;
    }
    const here = findOnPath(x, path);
    const there = l.executorFiles?.programs[x];
    if (here === undefined && there === undefined) continue; // not found on either: the compile would have failed
    if (here !== there) return `it ran ${x}, found at ${there ?? 'no path'} there and at ${here ?? 'no path'} here`;
    out.push(here!);
  }
  return out;
}

/** Why one of these files, taken from the executor's own disk, is not shown to have this host's bytes, or undefined. */
async function notThisHosts(paths: readonly string[], l: RemoteLookups, memo: DigestMemo): Promise<string | undefined> {
  if (paths.length === 0) return undefined;
  if (!l.executorFiles) return `it took ${paths[0]} from the executor's own disk, and the executor gave no digests of such files`;
  let here;
  try {
    here = await mirrorHostFiles(paths, { algorithm: 'sha256', memo });
  } catch (e) {
    return (e as Error).message;
  }
  const other = here.find((f) => l.executorFiles!.files[`/${f.path}`] !== f.digest.hash);
  return other && `/${other.path} on the executor's own disk is not this host's`;
}

/**
 * The temporary files and directories the compile made under the caller's temporary directory
 * `tmp` (which the executor places writable where the root puts it): ghc's own (`ghc<pid>_<n>`,
 * GHC's naming) and every file the trace shows written there (gcc's `cc*` files). Not inputs.
 */
function ghcTempDirs(l: RemoteLookups, tmp: string): string[] {
  const base = resolve(tmp);
  const made = new Set<string>();
  for (const [p, a] of l.trace.writes) if (a === 'found' && p.startsWith(`${base}/`)) made.add(p);
  for (const m of [l.trace.writes, l.trace.reads, l.trace.looks, l.trace.listed]) {
    for (const p of m.keys()) {
      if (!p.startsWith(`${base}/`)) continue;
      const name = p.slice(base.length + 1).split('/')[0]!;
      if (/^ghc\d+_\d+$/.test(name)) made.add(`${base}/${name}`);
    }
  }
  return [...made];
}

