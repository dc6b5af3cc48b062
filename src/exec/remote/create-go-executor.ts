// The Executor contract (DESIGN.md §2) for a Go compile or asm step of a -toolexec build
// (docs/remote-execution.md, "Go"): the action stands at the host's paths
// (build-root-at-slash-action.ts), since a step's outputs record its working directory and
// sources, and $WORK and the GOCACHE are where cmd/go put them. The root is exactly the step's
// keyed inputs, as the local fill's view is (src/pipeline/go/cached-go-tool.ts): the tool, its
// sources, importcfg and every package file it names, embedcfg and the embedded files, symabis,
// and for asm the .h files of its -I directories. A Go tool finds nothing else by searching:
// it is told every input by path.
import { InputRootError } from './build-input-root.js';
import { buildRootAtSlashAction, notPlaceableAtSlash } from './build-root-at-slash-action.js';
import type { RemoteExecutorOptions } from './create-remote-executor.js';
import { createRootAtSlashExecutor } from './create-root-at-slash-executor.js';
import type { RemoteExecutionClient } from './create-remote-execution-client.js';
import type { Executor } from './types.js';

export interface RemoteGoStep {
  /** The tool (…/pkg/tool/linux_amd64/compile or asm), absolute. */
  toolPath: string;
  args: readonly string[];
  cwd: string;
  /** The step's environment as the local fill gives it (goFillEnv: the keyed variables, a private TMPDIR). */
  env: ReadonlyMap<string, string>;
  /** Every file the step may read, absolute. */
  inputs: readonly string[];
  /** The files it writes, absolute. */
  outputs: readonly string[];
}

export function createGoExecutor(name: string, client: RemoteExecutionClient, opts: RemoteExecutorOptions = {}): Executor<RemoteGoStep> {
  return createRootAtSlashExecutor(name, client, {
    build(job, memo, o) {
      const paths = [...new Set([job.toolPath, ...job.inputs])];
      const why = [...paths, ...job.outputs].map(notPlaceableAtSlash).find((w) => w !== undefined);
      if (why) return Promise.reject(new InputRootError(why));
      return buildRootAtSlashAction({ tool: job.toolPath, args: job.args, cwd: job.cwd, env: job.env, paths, outputs: job.outputs, algorithm: 'sha256', memo, ...(o.platform ? { platform: o.platform } : {}) });
    },
  }, opts);
}
