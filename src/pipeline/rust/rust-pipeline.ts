import { resolve } from 'node:path';
import type { RustcUncacheableReason } from '../../adapters/rustc/types.js';
import type { LanguagePipeline } from '../driver/types.js';
import type { PlaceOutput } from '../replay.js';
import { storedResolver } from '../stored-path.js';
import type { PipelineUncacheableReason } from '../uncacheable-reasons.js';
import { compileRustUncached, fillRustCompile, recompileRust } from './cached-rust-compile.js';
import { CRATE_FILE, rememberCrates } from './crate-deps.js';
import type { RustCall } from './rust-call.js';
import { rustKeyFor, type RustKeyed } from './rust-key-for.js';
import { renderTarget } from './target-template.js';
import { candidateCheck } from './crate-candidates.js';

/**
 * rustc behind the shared driver: keyed on the toolchain, the crate root and the extern
 * crates (rustKeyFor); entries matched with the variables the compile read, paths under the
 * cargo target directory spelled from it; outputs placed by role, with a templated result
 * rendered for the caller's target directory. A hit remembers which crates its outputs were
 * compiled against (crate-deps.ts). The fill is cached-rust-compile.ts.
 */
export const rustPipeline: LanguagePipeline<RustCall, RustKeyed, PipelineUncacheableReason | RustcUncacheableReason> = {
  key: (ctx, c) => rustKeyFor(ctx, c),
  // Entries spell paths under the target directory from it ($PWD): each caller's own.
  matchOn: (ctx, c, k) => ({ files: ctx.rust.files, dirs: { cwd: c.cwd, pwd: k.targetDir ?? c.keyCwd }, env: c.env, views: candidateCheck }),
  accepts: (result, c, k) => result.outputs.length === c.job.outputs.length && !(result.targetRelative && k.targetDir === undefined),
  place: (result, c, k) => {
    const render = result.targetRelative ? (b: Buffer) => renderTarget(b, k.targetDir!) : undefined;
    return { place: placeOutputs(c, render), render };
  },
  onReplayed: (ctx, c, _k, { entry, result, dirs }) => {
    const at = storedResolver(dirs);
    const crates = entry.inputs.flatMap((i) => (i.view === undefined && CRATE_FILE.test(i.path) ? [at(i.path)] : []));
    rememberCrates(ctx.rust.crateDeps, c.cwd, c.job.outputs.map((o, i) => ({ path: o.path, digest: result.outputs[i]!.digest })), crates);
  },
  recompile: (ctx, sandbox, c, k, signal) => recompileRust(ctx, sandbox, c, k.tool, k.linker, signal),
  fill: fillRustCompile,
  runUncached: compileRustUncached,
};

/** Each stored output goes where this call asks for the output of the same role; a templated dep-info is rendered for the caller's target directory. */
function placeOutputs(c: RustCall, render: ((b: Buffer) => Buffer) | undefined): PlaceOutput {
  return (o, i, data) => {
    const w = c.job.outputs[i];
    if (!w || w.role !== o.role) return undefined;
    return { path: resolve(c.cwd, w.path), data: render && o.role === 'dep-info' ? render(data) : data };
  };
}
