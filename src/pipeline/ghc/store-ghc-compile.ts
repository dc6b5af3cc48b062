import { KeyBuilder } from '../../keying/key-builder.js';
import type { ActionResult, OutputFile } from '../../store/types.js';
import type { CacheContext } from '../cache-context.js';
import { addManifestEntry, type ManifestEntry } from '../manifest.js';
import { changedSince, type RunOutcome } from '../store-compile.js';
import type { PipelineUncacheableReason } from '../uncacheable-reasons.js';
import { storeBlob } from '../store-blob.js';
import { groupAbsent, noneExist } from '../absent-set.js';
import type { GhcKeyed } from './ghc-call.js';
import type { GhcInputs } from './ghc-trace.js';
import { withUsageViews } from './usage-views.js';

/**
 * Stores a sandboxed `ghc -c`: its outputs, stdout and stderr as blobs, the result under a
 * key of the direct key plus every file, absence, existence and variable the trace saw,
 * and a manifest entry that finds it. Home interfaces enter as the usages the module's own
 * interface records of them (usage-views.ts), or by their whole ABI when those cannot be
 * read. Paths stay absolute: the key holds the directory.
 */
export async function storeGhcCompile(ctx: CacheContext, k: GhcKeyed, r: RunOutcome, learned: GhcInputs, data: Buffer[], readFrom?: ReadonlyMap<string, string>): Promise<PipelineUncacheableReason | { entry: ManifestEntry; result: ActionResult }> {
  // Inputs are digested after the compile, so equal bytes now prove nothing about what it read:
  // any input written inside the window (the daemon's own writes settle before it opens) is a change.
  // A pinned input was shown as it was before the window (pin-files.ts), whatever the host holds now.
  for (const i of learned.inputs) {
    if (readFrom?.has(i.path) || !changedSince(i.path, r.startedAtNs)) continue;
    ctx.log.info(`ghc: ${k.outputs[0]?.path ?? 'a module'}: not stored: ${i.path} changed while the compile ran`);
    return 'input-changed-during-compile';
  }
  const outputs: OutputFile[] = [];
  for (const [i, o] of k.outputs.entries()) {
    const d = data[i]!;
    outputs.push({ role: o.role, path: o.path, digest: await storeBlob(ctx, d), size: d.length, mode: 0o644 });
  }
  const result: ActionResult = {
    schema: 1, outputs, stdoutDigest: await storeBlob(ctx, r.stdout), stderrDigest: await storeBlob(ctx, r.stderr), exitCode: 0,
    durationMs: r.durationMs, createdAt: new Date().toISOString(), sandboxed: true,
  };
  const hi = k.outputs.findIndex((o) => o.role === 'hi');
  const viewed = await withUsageViews(ctx.algorithm, learned.inputs, hi >= 0 ? data[hi] : undefined, readFrom);
  const present = [...learned.present, ...viewed.present].sort();
  const b = new KeyBuilder(ctx.algorithm).add('direct', k.key.key);
  for (const i of viewed.inputs) b.add(i.view === undefined ? 'input' : 'input-usage', `${i.path}\0${i.digest}`);
  for (const a of learned.absent) b.add('absent', a);
  for (const p of present) b.add('present', p);
  for (const e of learned.env) b.add('env-dep', e.value === null ? `${e.name}\0unset` : `${e.name}=${e.value}`);
  const resultKey = b.finish().key;
  await ctx.actions.put(resultKey, result);
  // A path found absent after the compile began may have appeared during it: not vouched for.
  if (!noneExist(learned.absent)) return 'input-changed-during-compile';
  const entry: ManifestEntry = { inputs: viewed.inputs, absent: groupAbsent(learned.absent), present, env: learned.env, resultKey };
  await ctx.manifests.put(k.key.key, addManifestEntry(await ctx.manifests.get(k.key.key), entry));
  return { entry, result };
}
