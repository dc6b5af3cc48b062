import { isAbsolute, resolve } from 'node:path';
import type { ToolIdentity } from '../adapters/gcc/identify-gcc.js';
import type { BuiltKey } from '../keying/key-builder.js';
import type { CacheContext } from '../pipeline/cache-context.js';
import type { CompileCall } from '../pipeline/cached-compile.js';
import { entryPathsFor, type ManifestEntry } from '../pipeline/manifest.js';
import { DEPFILE_TEMPLATE_ROLE } from '../pipeline/place-outputs.js';
import { outputMode } from '../pipeline/write-output.js';
import type { Replayed } from '../pipeline/replay.js';
import type { ActionResult } from '../store/types.js';
import { buildCTicket, type CHitFacts } from './c-hit-ticket.js';
import { blake3ForTicket, type ShaChecked } from './blake3-for-ticket.js';

/** Larger inputs are checked by stamp only: hashing them would cost the shim more than the daemon's round trip. */
const MAX_CONTENT_CHECK = 1 << 20;

/** What the hit was keyed on (directKeyFor's result). */
export interface TicketKey {
  /** The direct key: its digest names the manifest, its transcript goes into `reprise why` records. */
  key: BuiltKey;
  tool: ToolIdentity;
  sourceDigest: string;
  /** Search directories of different kinds that must stay two directories (aliased-search-dir.ts). */
  distinctDirs?: ReadonlyArray<readonly [string, string]>;
}

/**
 * After a C hit or fill, hands the desk what a ticket for the same call needs. Every file
 * stamp comes from the memos the call was just checked with, and each is taken only when it
 * still vouches for the digest the call used. Anything the shim could not check the way the
 * daemon does (a call with extra inputs, an output that is not a plain file, a directory
 * passed by where a header was searched) gets no ticket.
 * Called after the reply: it never throws, so a ticket cannot change what the caller got.
 */
export function offerCTicket(ctx: CacheContext, c: CompileCall, k: TicketKey, entry: ManifestEntry, result: ActionResult, replayed: Replayed): void {
  try {
    offer(ctx, c, k, entry, result, replayed);
  } catch (e) {
    ctx.log.debug(`${c.tool}: no ticket: ${(e as Error).message}`);
  }
}

function offer(ctx: CacheContext, c: CompileCall, k: TicketKey, entry: ManifestEntry, result: ActionResult, replayed: Replayed): void {
  const desk = ctx.tickets;
  if (!desk || !c.ticket || ctx.verify.rate > 0 || replayed.exitCode !== 0 || c.job.extraInputs.length > 0) return;
  if ((entry.notFiles?.length ?? 0) > 0) return; // the shim has no check that a directory is still one
  if (replayed.paths.some((p) => p.startsWith('/dev/')) || /\s/.test(c.tool)) return; // the hits log splits at spaces
  const tool = ctx.toolStamps(k.tool);
  if (!tool) return;
  const files: Array<CHitFacts['files'][number] & ShaChecked> = [...tool];
  // The shim checks a source or header whose stamp changed (a fresh copy, a new checkout) by
  // content, with BLAKE3: a SHA-256 store's digests are turned into it when the ticket is written.
  const blake = ctx.algorithm === 'blake3';
  const add = (path: string, memo: { stamp: string; digest: { hash: string; size: number } }): void => {
    const small = memo.digest.size <= MAX_CONTENT_CHECK;
    files.push({ path, stamp: memo.stamp, ...(small ? (blake ? { digest: memo.digest.hash } : { sha256: memo.digest.hash }) : {}) });
  };
  const source = resolve(c.cwd, c.job.source);
  const known = ctx.files.known(source);
  if (known?.digest.hash !== k.sourceDigest) return;
  add(source, known);
  const paths = entryPathsFor(entry, { cwd: c.cwd, pwd: c.keyCwd });
  for (const [i, path] of paths.inputs.entries()) {
    const memo = ctx.files.known(path);
    if (!memo || memo.digest.hash !== entry.inputs[i]?.digest) return;
    add(path, memo);
  }
  const blobs: string[] = [];
  // Blobs are read again (and verified) when the ticket is written: pending tickets hold no object bytes.
  const outputs: Array<{ path: string; mode: number; data?: Buffer; blob?: { digest: string; path: string } }> = [];
  for (const [i, o] of result.outputs.entries()) {
    const path = replayed.paths[i]!;
    const mode = outputMode((o.mode & 0o111) !== 0, c.umask);
    const blobPath = o.role === DEPFILE_TEMPLATE_ROLE ? undefined : ctx.cas.localPath?.(o.digest);
    if (blobPath) blobs.push(o.digest);
    outputs.push(blobPath ? { path, mode, blob: { digest: o.digest, path: blobPath } } : { path, mode, data: replayed.outputs[i]! });
  }
  const pwd = c.env.get('PWD');
  const facts: Omit<CHitFacts, 'outputs' | 'files'> = {
    payload: c.ticket(),
    ...(pwd !== undefined && isAbsolute(pwd) && pwd !== c.cwd ? { pwd: { path: pwd, cwd: c.cwd, same: c.keyCwd === pwd } } : {}),
    hit: { tool: c.tool, durationMs: result.durationMs, resultKey: entry.resultKey, manifestKey: k.key.key, blobs },
    absent: paths.absent,
    present: paths.present,
    ...(k.distinctDirs && k.distinctDirs.length > 0 ? { distinctDirs: k.distinctDirs } : {}),
    stdout: replayed.stdout,
    stderr: replayed.stderr,
  };
  const recorded = { tool: c.tool, cwd: c.cwd, keyCwd: c.keyCwd, job: { outputs: c.job.outputs.map((o) => ({ path: o.path })) } };
  const cas = ctx.cas;
  desk.issue(facts.payload, async (socket, name) => {
    const placed: CHitFacts['outputs'][number][] = [];
    for (const o of outputs) {
      const data = o.data ?? (o.blob && (await cas.get(o.blob.digest)));
      if (!data) return undefined; // evicted, or found corrupt (and dropped) meanwhile
      placed.push({ path: o.path, mode: o.mode, data, ...(o.blob ? { blob: o.blob.path } : {}) });
    }
    const checked = blake ? files : await blake3ForTicket(files);
    return buildCTicket({ ...facts, files: checked, outputs: placed }, name, socket);
  }, { call: recorded, key: k.key, resultKey: entry.resultKey });
}
