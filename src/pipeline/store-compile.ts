import { readFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { GCC_KEY_ENV, gccResultKey } from '../adapters/gcc/gcc-direct-key.js';
import type { BuiltKey } from '../keying/key-builder.js';
import type { ActionResult, OutputFile } from '../store/types.js';
import type { CacheContext } from './cache-context.js';
import type { CompileCall } from './cached-compile.js';
import { addManifestEntry, type ManifestEntry } from './manifest.js';
import { noneExist } from './absent-set.js';
import { jobOutputs } from './place-outputs.js';
import { storedEntry } from './portable-entry.js';
import { expandedFileNames } from './expanded-file-names.js';
import type { KeyRebase } from './rebase-key-paths.js';
import { rebasable, type CallDirs } from './stored-path.js';
import { storeBlob } from './store-blob.js';
import type { Learned } from './learn-inputs.js';
import type { PipelineUncacheableReason } from './uncacheable-reasons.js';

/** What a successful compile left to store. */
export interface RunOutcome {
  code: number;
  signal: number;
  stdout: Buffer;
  stderr: Buffer;
  startedAtNs: bigint;
  durationMs: number;
}

/** The direct key (with its transcript, for `reprise why`), and how it spells paths under the base dir. */
export interface Keyed extends BuiltKey {
  rebase: KeyRebase;
}

/** What a stored compile left: its manifest entry and its action result. */
export interface Stored {
  entry: ManifestEntry;
  result: ActionResult;
}

/**
 * Stores a successful compile and returns its manifest entry and result, or an uncacheable
 * reason when it must not be stored. `data` holds the outputs' bytes in jobOutputs order when
 * they were written elsewhere (a sandbox's scratch files); otherwise they are read from
 * where the compiler wrote them.
 */
export async function storeCompile(ctx: CacheContext, c: CompileCall, direct: Keyed, r: RunOutcome, learned: Learned, opts: { data?: Buffer[]; sandboxed: boolean; executor?: string; signal: AbortSignal }): Promise<PipelineUncacheableReason | Stored> {
  const abs = (p: string): string => resolve(c.cwd, p);
  const { spelled, inputs, chain, absent, present, notFiles, origins } = learned;
  for (const path of learned.deps) if (changedSince(path, r.startedAtNs)) return 'input-changed-during-compile';
  const files = jobOutputs(c.job);
  const data: Buffer[] = opts.data ?? [];
  if (!opts.data) {
    for (const o of files) {
      try {
        data.push(await readFile(abs(o.path)));
      } catch {
        return 'missing-output';
      }
    }
  }
  const callerDepfile = c.job.depfile && { data: data[files.length - 1]!, targets: c.job.depfile.targets };
  const entry = await storedEntry({
    algorithm: ctx.algorithm, baseDir: ctx.baseDir, dirs: { cwd: c.cwd, pwd: c.keyCwd }, rebase: direct.rebase,
    envValues: GCC_KEY_ENV.flatMap((n) => c.env.get(n) ?? []), spelled, inputs, chain,
    absent, present, notFiles, origins, outputs: [...data.slice(0, c.job.outputs.length), r.stdout, r.stderr], depfile: callerDepfile,
    fileNames: (baseDir) => expandedFileNames(ctx, c, baseDir, opts.signal),
  });
  // The directories' stamps were taken just now, after the probes: a name created since
  // (during the compile) would be vouched absent by them. Checked after the stamps, so a
  // name created later changes the stamp instead.
  if (!noneExist(absent, ctx.listings.look())) return 'input-changed-during-compile';
  if (entry.anchor) {
    ctx.stats.bumpCache('entry-bound');
    ctx.log.debug(`${c.tool}: entry bound to ${c.keyCwd}: ${entry.anchor.why}`);
  }

  const blob = (bytes: Buffer): Promise<string> => storeBlob(ctx, bytes);
  const outputs: OutputFile[] = [];
  for (const [i, o] of files.entries()) {
    const stored = o.role === 'depfile' && entry.depfile ? entry.depfile : { role: o.role, data: data[i]! };
    // Results name outputs from the working directory when the key does: they may serve other checkouts.
    const path = !entry.anchor && rebasable(o.path, ctx.baseDir) ? relative(c.keyCwd, o.path) : o.path;
    outputs.push({ role: stored.role, path, digest: await blob(stored.data), size: stored.data.length, mode: 0o644 });
  }
  const result: ActionResult = {
    schema: 1, outputs, stdoutDigest: await blob(r.stdout), stderrDigest: await blob(r.stderr), exitCode: 0,
    durationMs: r.durationMs, createdAt: new Date().toISOString(), sandboxed: opts.sandboxed,
    ...(opts.executor !== undefined ? { executor: opts.executor } : {}),
  };
  const anchor: CallDirs | undefined = entry.anchor && { cwd: entry.anchor.cwd, pwd: entry.anchor.pwd };
  const resultKey = gccResultKey(ctx.algorithm, direct.key, entry.inputs, entry.absentPaths, entry.present, anchor, entry.notFiles);
  await ctx.actions.put(resultKey, result);
  const manifestEntry: ManifestEntry = {
    inputs: entry.inputs, absent: entry.absent, present: entry.present, resultKey,
    ...(entry.notFiles.length > 0 ? { notFiles: entry.notFiles } : {}), ...(entry.anchor ? { anchor: { cwd: entry.anchor.cwd, pwd: entry.anchor.pwd }, anchorWhy: entry.anchor.why } : {}),
  };
  await ctx.manifests.put(direct.key, addManifestEntry(await ctx.manifests.get(direct.key), manifestEntry));
  return { entry: manifestEntry, result };
}

/** A file whose content or metadata changed after the compile began may not be what the compiler read. */
export function changedSince(path: string, startNs: bigint): boolean {
  try {
    const st = statSync(path, { bigint: true });
    return st.mtimeNs >= startNs || st.ctimeNs >= startNs;
  } catch {
    return true;
  }
}
