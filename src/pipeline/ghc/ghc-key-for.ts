import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ghcOutputs } from '../../adapters/ghc/ghc-outputs.js';
import { hasForeignExport, moduleHeader } from '../../adapters/ghc/module-header.js';
import { TIME_MACRO } from '../../adapters/gcc/scan-content.js';
import type { GhcUncacheableReason } from '../../adapters/ghc/types.js';
import { digestBytes } from '../../hashing/create-hasher.js';
import { KeyBuilder } from '../../keying/key-builder.js';
import { hostCpu } from '../../keying/host-cpu.js';
import type { CacheContext } from '../cache-context.js';
import type { PipelineUncacheableReason } from '../uncacheable-reasons.js';
import type { GhcCall, GhcKeyed } from './ghc-call.js';
import { ghcFiles, ignorableHomeUnit } from './ghc-files.js';

/** Options that hand `native` to a program that then asks the CPU: gcc (-optc), llc (-optlc), opt (-optlo), the assembler (-opta). */
const NATIVE_CPU = /^-opt(?:c|lc|lo|a)-m(?:arch|cpu|tune)=native$/;

/**
 * Bumped when what a ghc key or entry covers changes, so old entries are never matched
 * (3: the whole environment of splices that can walk it, files stat'ed by splices, variables
 * splices read, the clock, the tracer's variables in outputs; 4: $TMPDIR for interfaces that
 * record dependent files, tmp-dir-divergence.ts).
 */
const GHC_KEY_SCHEMA = 'ghc-4';

export type GhcKeyResult = GhcKeyed | { kind: 'uncacheable'; reason: GhcUncacheableReason | PipelineUncacheableReason; why?: string };

/**
 * The direct key of a `ghc -c`: the compiler (its --info and the digests of the program
 * called and the one it runs), the directory, every argument as given, and the source's
 * bytes. Everything else the compile reads (interfaces of the modules it imports, the
 * objects a splice runs, package databases, CPP headers) and every variable it reads is
 * learned from the fill's trace and kept in the manifest entry: a stale result would need
 * one of those files to change without its digest changing.
 */
export async function ghcKeyFor(ctx: Pick<CacheContext, 'algorithm' | 'ghc'>, c: GhcCall): Promise<GhcKeyResult> {
  let tool;
  try {
    tool = await ctx.ghc.identify(c.toolPath, Object.fromEntries(c.env));
  } catch (e) {
    return { kind: 'uncacheable', reason: 'ghc-unidentified', why: (e as Error).message };
  }
  let source: Buffer;
  try {
    source = await readFile(resolve(c.cwd, c.job.source));
  } catch {
    return { kind: 'uncacheable', reason: 'source-unreadable' };
  }
  const text = source.toString('utf8');
  const moduleName = moduleHeader(text);
  if (moduleName === undefined || moduleName === 'cpp') return { kind: 'uncacheable', reason: 'module-name-unknown', why: moduleName === 'cpp' ? 'a preprocessor line comes before the module header' : 'no readable module header' };
  // CPP (gcc's) expands __TIME__ and kin to the clock's time, as in C: the output is the moment's.
  if (TIME_MACRO.test(text) || c.job.runArgs.some((a) => TIME_MACRO.test(a))) return { kind: 'uncacheable', reason: 'time-macro' };
  const outputs = ghcOutputs(c.job, moduleName, hasForeignExport(text));
  c.job.outputs.splice(0, c.job.outputs.length, ...outputs);
  const b = new KeyBuilder(ctx.algorithm).add('schema', GHC_KEY_SCHEMA);
  b.add('ghc-info', tool.info, /\("Project version","([^"]+)"\)/.exec(tool.info)?.[1] ?? 'ghc --info');
  for (const p of tool.parts) b.add('tool', `${p.path}\0${p.digest}`);
  b.add('cwd', c.keyCwd);
  for (const a of c.job.runArgs) b.add('arg', a);
  // -march=native handed to the C compiler (stubs) or the LLVM backend: the code is this CPU's, as in C.
  if (c.job.runArgs.some((a) => NATIVE_CPU.test(a))) b.add('host-cpu', hostCpu());
  for (const a of c.terminalArgs) b.add('terminal-arg', a);
  const digest = digestBytes(ctx.algorithm, source).hash;
  b.add('source', `${c.job.source}\0${digest}`, `${c.job.source} ${digest.slice(0, 16)}`);
  const files = ghcFiles(ctx.ghc.files, ctx.algorithm, ignorableHomeUnit(c.job.runArgs));
  return { kind: 'key', key: b.finish(), tool, moduleName, outputs, files };
}
