import { dirname, resolve } from 'node:path';
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
import { groupAbsent, mapAbsentDirs, noneExist, type AbsentDir } from '../absent-set.js';
import { storedFromPwd } from '../stored-path.js';
import type { RustInputs } from './scan-rust-inputs.js';
import { portableRust } from './portable-rust-result.js';
import { rememberCrates } from './crate-deps.js';
import { candidatesHold, unloadedCandidates, type CandidateView } from './crate-candidates.js';
import { procMacroReach } from './proc-macro-reach.js';

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
  const candidates = candidatesFor(ctx, c, learned, sandboxed || executor !== undefined);
  if (typeof candidates === 'string') return candidates;
  const loaded = procMacrosLoaded(c, learned);
  const walker = loaded.find((i) => procMacroReach(i.path, i.digest).environment)?.path;
  if (walker) {
    ctx.log.info(`${c.tool}: crate ${c.job.crateName}: not stored: ${walker} can read every environment variable, and which it read is not known`);
    return 'unkeyed-env';
  }
  const clock = loaded.find((i) => procMacroReach(i.path, i.digest).clock)?.path;
  if (clock) {
    ctx.log.info(`${c.tool}: crate ${c.job.crateName}: not stored: ${clock} can read the wall clock, so the output may be the moment's`);
    return 'time-macro';
  }
  const p = portableRust(targetDir, c.cwd, [...learned.inputs, ...candidates], learned.env, data.map((d) => d.data), c.job.outputs.map((o) => o.role === 'dep-info'), r.stdout, r.stderr);
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
  const entry: ManifestEntry = { inputs: p.inputs, absent: fromTarget(groupAbsent(learned.absent ?? []), p.targetRelative ? targetDir : undefined), present: [], env: learned.env, resultKey, ...(p.bound ? { anchor: p.bound.dirs, anchorWhy: p.bound.why } : {}) };
  await ctx.manifests.put(direct.key, addManifestEntry(await ctx.manifests.get(direct.key), entry));
  // Text outputs are stored as templates: only crate files (binary, stored as written) are recorded.
  rememberCrates(ctx.rust.crateDeps, c.cwd, outputs, learned.inputs.map((i) => i.path));
  return entry;
}

/**
 * The candidate views taken before the compile, each still holding (a crate that came or
 * went meanwhile may or may not have been seen), and, for a compile that did not run over
 * the host's files (a sandbox or an executor's root show only the crates declared), none
 * the host has that the compile did not load (a traced fill shows them and runs again:
 * rust-trace.ts).
 */
function candidatesFor(ctx: CacheContext, c: RustCall, learned: RustInputs, hidden: boolean): CandidateView[] | PipelineUncacheableReason {
  const views = learned.candidates ?? [];
  if (!views.every((v) => candidatesHold(v.path, v.view))) return 'input-changed-during-compile';
  const unseen = hidden ? unloadedCandidates(views, learned.inputs.map((i) => i.path)) : [];
  if (unseen.length > 0) {
    ctx.log.info(`${c.tool}: crate ${c.job.crateName}: not stored: the view hid ${unseen[0]}, a candidate for a crate it loaded`);
    return 'view-hid-path';
  }
  return views;
}

/**
 * Absent paths under the target directory spelled from it, as the result's inputs there are,
 * for a result that serves other target directories (a `-L native=` directory of a build
 * script's OUT_DIR, where a `-l` library was looked for first).
 */
function fromTarget(groups: AbsentDir[], t: string | undefined): AbsentDir[] {
  if (t === undefined) return groups;
  return mapAbsentDirs(groups, (d) => (d === t || d.startsWith(`${t}/`) ? storedFromPwd(d, t) : d));
}

/** The crates the compile loaded as shared objects (proc-macros, by --extern or from a crate search directory). */
function procMacrosLoaded(c: RustCall, learned: RustInputs): RustInputs['inputs'] {
  const externs = new Set(c.job.externs.flatMap((x) => (x.path === undefined ? [] : [resolve(c.cwd, x.path)])));
  const crateDirs = new Set(c.job.searchDirs.filter((d) => d.kind !== 'native' && d.kind !== 'framework').map((d) => resolve(c.cwd, d.path)));
  return learned.inputs.filter((i) => i.path.endsWith('.so') && (externs.has(i.path) || crateDirs.has(dirname(i.path))));
}
