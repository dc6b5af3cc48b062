import { dirname, resolve } from 'node:path';
import type { RustToolIdentity } from '../../adapters/rustc/identify-rustc.js';
import type { LinkerIdentity } from '../../adapters/rustc/identify-linker.js';
import { rustDirectKey } from '../../adapters/rustc/rustc-key.js';
import type { RustcUncacheableReason } from '../../adapters/rustc/types.js';
import type { BuiltKey } from '../../keying/key-builder.js';
import type { DigestAlgorithm } from '../../hashing/types.js';
import type { RustContext } from './create-rust-context.js';
import type { PipelineUncacheableReason } from '../uncacheable-reasons.js';
import { hostCpu } from '../../keying/host-cpu.js';
import type { RustCall } from './rust-call.js';
import { cargoTargetDir } from './cargo-target-dir.js';

export type RustKeyResult =
  /** `targetDir`: the cargo target directory paths were keyed from (cargo-target-dir.ts). */
  | { kind: 'key'; key: BuiltKey; tool: RustToolIdentity; linker: LinkerIdentity | undefined; targetDir: string | undefined }
  | { kind: 'uncacheable'; reason: PipelineUncacheableReason | RustcUncacheableReason; why?: string };

/** A rustc call's key, with what its fill needs. */
export type RustKeyed = Extract<RustKeyResult, { kind: 'key' }>;

/** The tool, the crate root and the extern crates: the direct key, before rustc runs (shared by the pipeline and `reprise explain`). */
export async function rustKeyFor(ctx: { algorithm: DigestAlgorithm; rust: RustContext }, c: Omit<RustCall, 'tool' | 'umask'>): Promise<RustKeyResult> {
  let tool: RustToolIdentity;
  try {
    tool = await ctx.rust.identify(c.toolPath, Object.fromEntries(c.env), c.cwd, c.job.target);
  } catch (e) {
    return { kind: 'uncacheable', reason: 'rustc-unidentified', why: (e as Error).message };
  }
  let linker: LinkerIdentity | undefined;
  if (c.job.links) {
    try {
      const name = c.job.linker ?? 'cc';
      linker = await ctx.rust.linker(name.includes('/') ? resolve(c.cwd, name) : name, Object.fromEntries(c.env));
    } catch (e) {
      return { kind: 'uncacheable', reason: 'links', why: (e as Error).message };
    }
  }
  const files = ctx.rust.files;
  const digest = async (p: string) => files.peek(p) ?? (await files.digest(p));
  const source = await digest(resolve(c.cwd, c.job.source));
  if (!source) return { kind: 'uncacheable', reason: 'source-unreadable' };
  const externDigests: Array<string | undefined> = [];
  for (const x of c.job.externs) {
    if (x.path === undefined) {
      externDigests.push(undefined);
      continue;
    }
    const d = await digest(resolve(c.cwd, x.path));
    if (!d) return { kind: 'uncacheable', reason: 'extern-unreadable', why: x.path };
    externDigests.push(d.digest.hash);
  }
  const first = c.job.outputs[0];
  const targetDir = first && cargoTargetDir(dirname(resolve(c.cwd, first.path)));
  const key = rustDirectKey({
    algorithm: ctx.algorithm, tool, job: c.job, terminalArgs: c.terminalArgs, cwd: c.cwd, env: c.env,
    sourceDigest: source.digest.hash, externDigests, hostCpu: c.job.nativeCpu ? hostCpu() : undefined, linker, targetDir,
  });
  return { kind: 'key', key, tool, linker, targetDir };
}
