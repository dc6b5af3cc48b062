import { readFile, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { extname, join, relative, resolve } from 'node:path';
import { parseGhcArgs, TAKES_VALUE } from '../../adapters/ghc/parse-ghc-args.js';
import { importDirsFlag } from '../../adapters/ghc/import-dirs-flag.js';
import { ghcOutputs } from '../../adapters/ghc/ghc-outputs.js';
import { moduleHeader } from '../../adapters/ghc/module-header.js';
import type { GhcJob, GhcMakeJob } from '../../adapters/ghc/types.js';
import type { CacheContext } from '../cache-context.js';

/** One module of a --make build: its one-shot job and the modules (indices) whose interfaces it imports. */
export interface MakeModule {
  name: string;
  source: string;
  /** The object --make would write (absolute): the node's name in `ghc -M`'s graph. */
  obj: string;
  job: GhcJob;
  deps: number[];
}

export interface MakeGraphCall {
  toolPath: string;
  cwd: string;
  env: Map<string, string>;
  umask: number;
  job: GhcMakeJob;
}

const HASKELL_SOURCE = new Set(['.hs', '.lhs', '.hs-boot', '.lhs-boot', '.hsig']);

/**
 * The module graph of a --make build, as `ghc -M` gives it with the build's own flags:
 * each module's source (boot sources are modules of their own), and its home imports by
 * the interfaces it reads. A string says why there is none (the build then runs as it is).
 */
export async function makeGraph(ctx: CacheContext, c: MakeGraphCall, signal: AbortSignal): Promise<MakeModule[] | string> {
  const depfile = join(ctx.scratchDir, `${randomBytes(8).toString('hex')}.mk`);
  try {
    const err: Buffer[] = [];
    const r = await ctx.executor.run({
      toolPath: c.toolPath, argv0: c.toolPath, args: [...c.job.flags, '-M', '-dep-suffix', '', '-dep-makefile', depfile, ...c.job.targets], cwd: c.cwd, env: c.env, umask: c.umask, signal,
      onStarted: () => undefined, onStdout: () => undefined, onStderr: (d) => err.push(d),
    });
    if (r.kind !== 'exited' || r.code !== 0) return `ghc -M failed: ${Buffer.concat(err).toString('utf8').trim().split('\n')[0] ?? ''}`;
    return await parseGraph(await readFile(depfile, 'utf8'), c);
  } catch (e) {
    return (e as Error).message;
  } finally {
    await rm(depfile, { force: true }).catch(() => undefined);
  }
}

async function parseGraph(text: string, c: MakeGraphCall): Promise<MakeModule[] | string> {
  const abs = (p: string): string => resolve(c.cwd, p);
  const sourceOf = new Map<string, string>();
  const edges: Array<[string, string]> = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+) : (\S+)$/.exec(line);
    if (!m) continue;
    const [, target, prereq] = m as unknown as [string, string, string];
    if (HASKELL_SOURCE.has(extname(prereq))) sourceOf.set(abs(target), prereq);
    else edges.push([abs(target), abs(prereq)]);
  }
  const modules: MakeModule[] = [];
  const byObj = new Map<string, number>();
  const byIface = new Map<string, number>();
  const flags = jobFlags(c.job.flags);
  for (const [obj, source] of sourceOf) {
    const p = parseGhcArgs([...flags, '-c', source]);
    if (p.kind !== 'compile') return `module job for ${source}: ${p.kind === 'uncacheable' ? p.reason : p.kind}`;
    const name = moduleHeader(await readFile(abs(source), 'utf8').catch(() => '')) ?? '';
    const modName = name && name !== 'cpp' ? name : nameFromObject(p.job, obj, c.cwd);
    if (!modName) return `cannot tell the module name of ${source}`;
    const outputs = ghcOutputs(p.job, modName, false);
    byObj.set(obj, modules.length);
    byIface.set(abs(outputs.find((o) => o.role === 'hi')!.path), modules.length);
    modules.push({ name: modName, source, obj, job: p.job, deps: [] });
  }
  for (const [target, prereq] of edges) {
    const from = byObj.get(target);
    const to = byIface.get(prereq);
    if (from === undefined || to === undefined) return `ghc -M names ${prereq} for ${target}, which is no module of this build`;
    // ghc -M may name an import twice: each dependency once, since a job waits for its count.
    if (from !== to && !modules[from]!.deps.includes(to)) modules[from]!.deps.push(to);
  }
  return modules;
}

/**
 * The flags of each module job. --make finds a home module by its source; one-shot ghc
 * finds it by an interface on the import path and then reads the one under -hidir. So a
 * build whose -hidir is not on its import path (`ghc --make -outputdir o`) gets it there,
 * last, as a job would otherwise not find the modules --make compiled before it.
 */
function jobFlags(flags: readonly string[]): string[] {
  let hidir: string | undefined;
  const dirs: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    const a = flags[i]!;
    if (a === '-hidir' || a === '-outputdir') hidir = flags[++i];
    else if (TAKES_VALUE.has(a)) i++;
    else {
      const added = importDirsFlag(a);
      if (added === 'reset') dirs.length = 0;
      else if (added) dirs.push(...added);
    }
  }
  return hidir === undefined || dirs.includes(hidir) ? [...flags] : [...flags, `-i${hidir}`];
}

/** Under -odir, the object's path names the module (A/B.o is A.B). */
function nameFromObject(job: GhcJob, obj: string, cwd: string): string | undefined {
  if (job.layout.odir === undefined) return undefined;
  const rel = relative(resolve(cwd, job.layout.odir), obj).replace(/\.[^./]+(-boot)?$/, '');
  return /^[A-Z][\w']*(\/[A-Z][\w']*)*$/.test(rel) ? rel.split('/').join('.') : undefined;
}
