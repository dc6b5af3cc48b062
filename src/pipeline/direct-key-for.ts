import { resolve } from 'node:path';
import { gccDirectKey } from '../adapters/gcc/gcc-direct-key.js';
import type { ToolIdentity } from '../adapters/gcc/identify-gcc.js';
import { PRAGMA_DEPENDENCY, TIME_MACRO, type ContentScan } from '../adapters/gcc/scan-content.js';
import type { FileDigestCache } from '../hashing/file-digest-cache.js';
import type { DigestAlgorithm } from '../hashing/types.js';
import type { BuiltKey } from '../keying/key-builder.js';
import { rebaseKeyPaths, type KeyRebase } from './rebase-key-paths.js';
import type { CompileJob } from './types.js';
import { hostCpu } from '../keying/host-cpu.js';
import type { PipelineUncacheableReason } from './uncacheable-reasons.js';

export interface KeyDeps {
  algorithm: DigestAlgorithm;
  /** REPRISE_BASE_DIR, if set. */
  baseDir: string | undefined;
  files: FileDigestCache<ContentScan>;
  identify(toolPath: string, env: NodeJS.ProcessEnv): Promise<ToolIdentity>;
}

export interface KeyCall {
  toolPath: string;
  cwd: string;
  keyCwd: string;
  env: Map<string, string>;
  job: CompileJob;
  terminalArgs: string[];
}

export type DirectKeyResult = { kind: 'key'; key: BuiltKey; rebase: KeyRebase; tool: ToolIdentity; sourceDigest: string; distinctDirs?: ReadonlyArray<readonly [string, string]> } | { kind: 'uncacheable'; reason: PipelineUncacheableReason };

/** A C call's key, with what its fill and its ticket need. */
export type DirectKeyed = Extract<DirectKeyResult, { kind: 'key' }>;

/** Everything known before any header is read: the tool, the source and the key (shared by the pipeline and `reprise explain`). */
export async function directKeyFor(deps: KeyDeps, c: KeyCall): Promise<DirectKeyResult> {
  const abs = (p: string): string => resolve(c.cwd, p);
  const tool = await deps.identify(c.toolPath, Object.fromEntries(c.env));
  const sourcePath = abs(c.job.source);
  const source = deps.files.peek(sourcePath) ?? (await deps.files.digest(sourcePath));
  if (!source) return { kind: 'uncacheable', reason: 'source-unreadable' };
  if (source.scan.timeMacro) return { kind: 'uncacheable', reason: 'time-macro' };
  // -DSTAMP=__TIME__ expands wherever STAMP is used: the command line is scanned like a file.
  if (c.job.keyArgs.some((a) => TIME_MACRO.test(a))) return { kind: 'uncacheable', reason: 'time-macro' };
  // -DDEP='_Pragma("GCC dependency \"f\"")' likewise.
  if (c.job.keyArgs.some((a) => PRAGMA_DEPENDENCY.test(a))) return { kind: 'uncacheable', reason: 'pragma-dependency' };
  const extraDigests: string[] = [];
  for (const path of c.job.extraInputs) {
    const d = await deps.files.digest(abs(path));
    if (!d) return { kind: 'uncacheable', reason: 'unresolved-extra-input' };
    extraDigests.push(d.digest.hash);
  }
  const rebase = rebaseKeyPaths(c.job, deps.baseDir, c.keyCwd);
  const key = gccDirectKey({
    algorithm: deps.algorithm, tool, job: c.job, terminalArgs: c.terminalArgs, cwd: c.keyCwd, env: c.env,
    sourceDigest: source.digest.hash, rebase, extraDigests, hostCpu: c.job.nativeCpu ? hostCpu() : undefined,
  });
  return { kind: 'key', key, rebase, tool, sourceDigest: source.digest.hash };
}

