import { basename, dirname, isAbsolute, resolve } from 'node:path';

/** A compile or asm step cmd/go runs through -toolexec, with what it reads and writes. */
export interface GoToolJob {
  tool: 'compile' | 'asm';
  /** The arguments after the tool (argv[1:]). */
  args: string[];
  /** cmd/go's $WORK for this build (the parent of the output's directory): keyed as a token. */
  work: string;
  /** Files the step writes (absolute): -o, then -asmhdr / -linkobj when given. */
  outputs: string[];
  /** The .go or .s files on the command line (absolute). */
  sources: string[];
  importcfg: string | undefined;
  embedcfg: string | undefined;
  /** compile's -symabis input. */
  symabis: string | undefined;
  /** asm's -I directories (absolute), and the source's directory, where #include looks. */
  includeDirs: string[];
}

export type GoToolPlan =
  | { kind: 'job'; job: GoToolJob }
  /** -V=full probes, link, cgo, vet, cover and the rest: the tool runs as it is. */
  | { kind: 'pass' }
  | { kind: 'uncacheable'; reason: string };

/** Flags of compile and asm (Go 1.19-1.23) that take a value, and what the value is. */
const VALUE_FLAGS: Readonly<Record<string, 'out' | 'in' | 'dir' | 'text' | 'profile'>> = {
  o: 'out', asmhdr: 'out', linkobj: 'out',
  importcfg: 'in', embedcfg: 'in', symabis: 'in',
  I: 'dir',
  p: 'text', buildid: 'text', goversion: 'text', lang: 'text', trimpath: 'text', c: 'text', D: 'text', d: 'text',
  installsuffix: 'text', spectre: 'text', gendwarfinl: 'text', importmap: 'text', env: 'text',
  cpuprofile: 'profile', memprofile: 'profile', blockprofile: 'profile', mutexprofile: 'profile', traceprofile: 'profile',
  bench: 'profile', json: 'profile', pgoprofile: 'profile', coveragecfg: 'profile', memprofilerate: 'text',
};
/** Boolean flags that change nothing a step reads or writes beyond its outputs. */
const BOOL_FLAGS = new Set([
  'complete', 'pack', 'nolocalimports', 'std', 'N', 'l', 'race', 'msan', 'asan', 'dynlink', 'shared', 'linkshared',
  'compiling-runtime', 'compiling-std', 'gensymabis', 'e', 'S', 'v', 'w', 'B', 'C', 'E', 'K', 'L', 'W', 'smallframes', 'wrapglobalmapdbg',
]);

/** Which Go tool a path is: one in a `pkg/tool/GOOS_GOARCH/` directory of a Go install. */
export function goToolOf(toolPath: string): 'compile' | 'asm' | 'other' | undefined {
  if (!/\/pkg\/tool\/[a-z0-9]+_[a-z0-9]+$/.test(dirname(toolPath))) return undefined;
  const name = basename(toolPath);
  return name === 'compile' || name === 'asm' ? name : 'other';
}

/**
 * Reads a compile or asm command line (pure); anything it does not know is uncacheable.
 * `env`: the step's variables, for those that make compile write files beside its outputs.
 */
export function parseGoTool(tool: 'compile' | 'asm', args: readonly string[], cwd: string, env: ReadonlyMap<string, string> = new Map()): GoToolPlan {
  if (args.some((a) => a === '-V' || a.startsWith('-V=') || a === '-h' || a === '-help')) return { kind: 'pass' };
  // GOSSAFUNC writes ssa.html (or GOSSADIR's files), and -d ssa/PHASE/dump a .dump file per function, where a hit would not.
  if (tool === 'compile' && (env.get('GOSSAFUNC') || args.some((a, i) => /(?:^|,)ssa\/[^,]*\/dump\b/.test(a.startsWith('-d=') ? a.slice(3) : args[i - 1] === '-d' ? a : '')))) {
    return { kind: 'uncacheable', reason: 'go-debug-output' };
  }
  const outputs: string[] = [];
  const sources: string[] = [];
  const includeDirs: string[] = [];
  const inputs: Record<string, string | undefined> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-')) {
      if (!(tool === 'compile' ? a.endsWith('.go') : a.endsWith('.s'))) return { kind: 'uncacheable', reason: 'go-unknown-input' };
      sources.push(resolve(cwd, a));
      continue;
    }
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const kind = VALUE_FLAGS[name];
    if (!kind) {
      if (BOOL_FLAGS.has(name) || name.startsWith('+') || name.startsWith('%')) continue;
      return { kind: 'uncacheable', reason: 'go-unknown-option' };
    }
    let value: string;
    if (eq >= 0) value = body.slice(eq + 1);
    else if (i + 1 < args.length) value = args[++i]!;
    else return { kind: 'uncacheable', reason: 'go-unknown-option' };
    if (kind === 'profile') return { kind: 'uncacheable', reason: 'go-profile-output' };
    if (kind === 'out') outputs.push(resolve(cwd, value));
    if (kind === 'in') inputs[name] = resolve(cwd, value);
    if (kind === 'dir') includeDirs.push(resolve(cwd, value));
  }
  const out = outputs[0];
  if (!out || sources.length === 0) return { kind: 'uncacheable', reason: 'go-unknown-input' };
  // cmd/go writes every step's files in $WORK/bNNN/.
  const work = dirname(dirname(out));
  if (!isAbsolute(work) || work === '/') return { kind: 'uncacheable', reason: 'go-unknown-input' };
  if (tool === 'asm') for (const s of sources) if (!includeDirs.includes(dirname(s))) includeDirs.push(dirname(s));
  return { kind: 'job', job: { tool, args: [...args], work, outputs, sources, importcfg: inputs.importcfg, embedcfg: inputs.embedcfg, symabis: inputs.symabis, includeDirs } };
}
