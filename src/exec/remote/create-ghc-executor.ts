// The Executor contract (DESIGN.md §2) for a `ghc -c` module compile (docs/remote-execution.md,
// "GHC"): the action stands at the host's paths (build-root-at-slash-action.ts), since ghc's
// interfaces and objects record them, and asks for the compile's lookup trace. ghc has no
// pre-pass: it finds its imports by searching, so the root is a guess (the toolchain, the
// package databases' packages, the home package's directories) and the trace, checked against
// the host (src/pipeline/ghc/verify-ghc-remote.ts), proves what it read.
import { join } from 'node:path';
import { InputRootError } from './build-input-root.js';
import { buildRootAtSlashAction, notPlaceableAtSlash } from './build-root-at-slash-action.js';
import type { RemoteExecutorOptions } from './create-remote-executor.js';
import { createRootAtSlashExecutor } from './create-root-at-slash-executor.js';
import type { RemoteExecutionClient } from './create-remote-execution-client.js';
import type { Executor } from './types.js';

/** Where the trace and the digests of what ghc took from the executor's own disk go, beside the outputs: names no ghc output has. */
export const GHC_TRACE_FILE = '.reprise-remote-trace';
export const GHC_OUTSIDE_FILE = '.reprise-remote-outside';

export interface RemoteGhcCompile {
  /** The program called (Debian's /usr/bin/ghc is a script that runs LibDir/bin/ghc), absolute. */
  toolPath: string;
  args: readonly string[];
  cwd: string;
  /** The compile's environment as the local fill runs it. */
  env: ReadonlyMap<string, string>;
  /** Every host file the root holds, absolute: the toolchain and the guessed inputs. */
  files: readonly string[];
  /** The files it writes, absolute. */
  outputs: readonly string[];
  /** Directories it needs though the root has no file there: the caller's $TMPDIR, where ghc makes its temporary files. */
  dirs: readonly string[];
  /** Directories it looks at, there as here though the root holds nothing in them: the C compiler's include directories. */
  presentDirs: readonly string[];
}

export function createGhcExecutor(name: string, client: RemoteExecutionClient, opts: RemoteExecutorOptions = {}): Executor<RemoteGhcCompile> {
  return createRootAtSlashExecutor(name, client, {
    build(job, memo, o) {
      const why = [...job.files, ...job.outputs, ...job.presentDirs.map((d) => join(d, 'x'))].map(notPlaceableAtSlash).find((w) => w !== undefined);
      if (why) return Promise.reject(new InputRootError(why));
      return buildRootAtSlashAction({
        tool: job.toolPath, args: job.args, cwd: job.cwd, env: job.env, paths: job.files, dirs: job.dirs, presentDirs: job.presentDirs, outputs: job.outputs, algorithm: 'sha256', memo,
        traceFile: GHC_TRACE_FILE, outsideDigestsFile: GHC_OUTSIDE_FILE, ...(o.platform ? { platform: o.platform } : {}),
      });
    },
  }, opts);
}
