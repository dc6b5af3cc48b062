// The Executor contract (DESIGN.md §2) for rustc compiles over the REAPI Execution client:
// the action stands at the host's paths (build-rustc-action.ts). The compile's own dep-info
// proves what it read: a file it names that the input root does not hold came from the
// executor's disk, and the result is rejected (`read-outside-root`); with the toolchain in the
// image, files under its paths (RustcAction.imagePaths) are the image's own.
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, normalize, resolve } from 'node:path';
import { parseRustDepInfo } from '../../adapters/rustc/parse-rust-depinfo.js';
import { buildRustcAction, type RustcActionSpec } from './build-rustc-action.js';
import type { RemoteExecutorOptions } from './create-remote-executor.js';
import { createRootAtSlashExecutor } from './create-root-at-slash-executor.js';
import { underAny } from './under-any.js';
import type { RemoteExecutionClient } from './create-remote-execution-client.js';
import type { Executor } from './types.js';

/** A rustc compile as the pipeline knows it; `depInfo` is the one of `outputs` that is its dep-info (the proof). */
export type RemoteRustCompile = Omit<RustcActionSpec, 'algorithm' | 'memo' | 'platform' | 'toolchainIn'> & { depInfo: string };

export function createRustcExecutor(name: string, client: RemoteExecutionClient, opts: RemoteExecutorOptions = {}): Executor<RemoteRustCompile> {
  return createRootAtSlashExecutor(name, client, {
    build: (job, memo, o) => buildRustcAction({ ...job, algorithm: 'sha256', memo, ...(o.platform ? { platform: o.platform } : {}), toolchainIn: o.toolchainIn ?? 'action' }),
    readOutside(job, built, r) {
      const abs = (p: string): string => (isAbsolute(p) ? p : resolve(job.cwd, p));
      const at = job.outputs.findIndex((o) => abs(o) === abs(job.depInfo));
      const info = at < 0 ? undefined : r.outputs.get(built.outputFiles[at]!);
      const parsed = info && parseRustDepInfo(info.data.toString('utf8'));
      if (!parsed) return 'no dep-info came back to prove what it read';
      const outside = parsed.files.map(abs).find((f) => !sent(built.held, f) && !(built.imagePaths && underAny(f, built.imagePaths)));
      return outside === undefined ? undefined : `${job.args.join(' ')}: read ${outside}`;
    },
  }, opts);
}

/**
 * Whether the root held the file a dep-info path names. A path through `..` (syn's
 * `#[path = "../gen_helper.rs"]` in src/gen) names the root's file at its lexical place, since
 * the root's directories are real ones; it is the one sent when that is where the host's path
 * leads too (no symlink before the `..`).
 */
function sent(held: ReadonlySet<string>, path: string): boolean {
  if (held.has(path)) return true;
  const lexical = normalize(path);
  if (lexical === path || !held.has(lexical)) return false;
  try {
    return realpathSync(dirname(path)) === realpathSync(dirname(lexical));
  } catch {
    return false;
  }
}
