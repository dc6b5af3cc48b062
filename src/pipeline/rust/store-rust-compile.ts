import { rustResultKey } from '../../adapters/rustc/rustc-key.js';
import type { BuiltKey } from '../../keying/key-builder.js';
import type { ActionResult, OutputFile } from '../../store/types.js';
import type { CacheContext } from '../cache-context.js';
import { addManifestEntry, type ManifestEntry } from '../manifest.js';
import type { RunOutcome } from '../store-compile.js';
import { inputsUnchanged } from '../inputs-unchanged.js';
import type { PipelineUncacheableReason } from '../uncacheable-reasons.js';
import type { RustCall } from './rust-call.js';
import type { RustOutputData } from './run-rust-in-sandbox.js';
import { storeBlob } from '../store-blob.js';
import { groupAbsent, noneExist } from '../absent-set.js';
import type { RustInputs } from './scan-rust-inputs.js';
import { portableRust } from './portable-rust-result.js';
import { rememberCrates } from './crate-deps.js';

/**
 * Stores a successful rustc compile: its outputs (with their modes: programs and shared
 * objects are executable), stdout and stderr as blobs, the result under a key of the
 * direct key plus every file and variable read, and a manifest entry that finds it. With
 * a target directory, the entry and result are made to serve other target directories
 * where they can (portable-rust-result.ts). `executor`: the executor that ran it
 * (an untrusted one's result is served only while it is configured: try-hit.ts).
 */
export async function storeRustCompile(ctx: CacheContext, c: RustCall, direct: BuiltKey, r: RunOutcome, learned: RustInputs, data: RustOutputData[], sandboxed: boolean, targetDir: string | undefined, executor?: string): Promise<PipelineUncacheableReason | ManifestEntry> {
  // The inputs were digested by the pre-pass, before the compile.
  if (!(await inputsUnchanged(learned.inputs, r.startedAtNs, async (p) => (await ctx.rust.files.digest(p))?.digest.hash))) return 'input-changed-during-compile';
  const p = portableRust(targetDir, c.cwd, learned.inputs, learned.env, data.map((d) => d.data), c.job.outputs.map((o) => o.role === 'dep-info'), r.stdout, r.stderr);
  if (p.bound) {
    ctx.stats.bumpCache('entry-bound');
    ctx.log.debug(`${c.tool}: crate ${c.job.crateName} stored for ${p.bound.dirs.pwd} only: ${p.bound.why}`);
  }
  const blob = (bytes: Buffer): Promise<string> => storeBlob(ctx, bytes);
  const outputs: OutputFile[] = [];
  for (const [i, o] of c.job.outputs.entries()) {
    const d = p.outputs[i]!;
    outputs.push({ role: o.role, path: o.path, digest: await blob(d), size: d.length, mode: data[i]!.mode });
  }
  const result: ActionResult = {
    schema: 1, outputs, stdoutDigest: await blob(p.stdout), stderrDigest: await blob(p.stderr), exitCode: 0,
    durationMs: r.durationMs, createdAt: new Date().toISOString(), sandboxed, ...(executor !== undefined ? { executor } : {}), ...(p.targetRelative ? { targetRelative: true } : {}),
  };
  const resultKey = rustResultKey(ctx.algorithm, direct.key, p.inputs, learned.env, p.bound?.dirs, learned.absent);
  await ctx.actions.put(resultKey, result);
  // A path found absent after the compile began may have appeared during it: not vouched for.
  if (!noneExist(learned.absent ?? [])) return 'input-changed-during-compile';
  const entry: ManifestEntry = { inputs: p.inputs, absent: groupAbsent(learned.absent ?? []), present: [], env: learned.env, resultKey, ...(p.bound ? { anchor: p.bound.dirs, anchorWhy: p.bound.why } : {}) };
  await ctx.manifests.put(direct.key, addManifestEntry(await ctx.manifests.get(direct.key), entry));
  // Text outputs are stored as templates: only crate files (binary, stored as written) are recorded.
  rememberCrates(ctx.rust.crateDeps, c.cwd, outputs, learned.inputs.map((i) => i.path));
  return entry;
}
