import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GoToolJob } from '../../adapters/go/parse-go-tool.js';
import { KeyBuilder } from '../../keying/key-builder.js';
import { createFileDigestCache, type FileDigestCache } from '../../hashing/file-digest-cache.js';
import { digestBytes } from '../../hashing/create-hasher.js';
import type { CacheContext } from '../cache-context.js';

/** Digests of Go's inputs, without the C content scan of ctx.files; one cache per daemon. */
const digests = new WeakMap<CacheContext, FileDigestCache<undefined>>();
function filesOf(ctx: CacheContext): FileDigestCache<undefined> {
  let f = digests.get(ctx);
  if (!f) digests.set(ctx, (f = createFileDigestCache({ algorithm: ctx.algorithm, maxEntries: 8192 })));
  return f;
}

/** Bumped whenever what goes into a Go tool key changes. */
const SALT = 'reprise-go-tool-1';

/**
 * GO* variables that configure cmd/go itself, or where it keeps things, and that compile
 * and asm never read. Every other GO* variable is keyed and passed to the fill (GOARCH,
 * GOOS, GOAMD64, GOEXPERIMENT, GOROOT, GODEBUG, ...): an unknown one costs a miss, never a
 * wrong hit. No other variable reaches the fill.
 */
const NOT_READ = new Set(['GOCACHE', 'GOCACHEPROG', 'GOPATH', 'GOMODCACHE', 'GOFLAGS', 'GOPROXY', 'GONOPROXY', 'GOSUMDB', 'GONOSUMDB',
  'GOPRIVATE', 'GOINSECURE', 'GOTOOLCHAIN', 'GOENV', 'GOTMPDIR', 'GOWORK', 'GO111MODULE', 'GOTELEMETRY', 'GOTELEMETRYDIR', 'GOBIN', 'GOVCS', 'GOAUTH']);

export interface GoToolKey {
  key: string;
  /** Every file the step may read (shown read-only in the fill). */
  inputs: string[];
  /** Each of those files' digest as keyed (taken before the step runs), to check it still holds after. */
  digests: Array<{ path: string; digest: string }>;
  /** The environment of the fill: the keyed variables only. */
  env: Map<string, string>;
}

/**
 * The key of one compile or asm step: the tool's bytes, the working directory (positions
 * hold it unless -trimpath), the arguments with $WORK as a token, the keyed environment,
 * and every declared input by content: the sources, importcfg with each package file by
 * digest (its path is somewhere in a GOCACHE, different each build), embedcfg with each
 * embedded file by digest, symabis, and for asm every .h file in each -I directory (what
 * #include can find; any other name is absent in the fill, so it fails there and runs on
 * the host uncached). Undefined when an input cannot be read.
 */
export async function goToolKey(ctx: CacheContext, toolPath: string, cwd: string, job: GoToolJob, env: ReadonlyMap<string, string>): Promise<GoToolKey | undefined> {
  const files = filesOf(ctx);
  const k = new KeyBuilder(ctx.algorithm).add('salt', SALT).add('tool-name', job.tool);
  const tool = await files.digest(toolPath);
  if (!tool) return undefined;
  const norm = (s: string): string => s.split(job.work).join('$WORK');
  k.add('tool', tool.digest.hash).add('cwd', cwd);
  for (const a of job.args) k.add('arg', norm(a));
  const runEnv = new Map<string, string>();
  for (const [name, value] of [...env].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!name.startsWith('GO') || NOT_READ.has(name)) continue;
    runEnv.set(name, value);
    k.add('env', `${name}=${norm(value)}`);
  }
  const digests: GoToolKey['digests'] = [];
  const file = async (tag: string, path: string, keyPath: string | undefined): Promise<boolean> => {
    const d = await files.digest(path);
    if (!d) return false;
    digests.push({ path, digest: d.digest.hash });
    k.add(tag, `${keyPath ?? ''}\0${d.digest.hash}`);
    return true;
  };
  for (const s of job.sources) if (!(await file('source', s, norm(s)))) return undefined;
  if (job.symabis && !(await file('symabis', job.symabis, norm(job.symabis)))) return undefined;
  if (job.importcfg) {
    const text = safeRead(job.importcfg);
    if (text !== undefined) digests.push({ path: job.importcfg, digest: digestBytes(ctx.algorithm, Buffer.from(text)).hash });
    const lines: string[] = [];
    for (const line of text?.split('\n') ?? [undefined]) {
      if (line === undefined) return undefined;
      const m = /^packagefile ([^=]+)=(.*)$/.exec(line);
      if (!m) {
        lines.push(norm(line));
        continue;
      }
      const d = await files.digest(m[2]!);
      if (!d) return undefined;
      digests.push({ path: m[2]!, digest: d.digest.hash });
      lines.push(`packagefile ${m[1]}=@${d.digest.hash}`);
    }
    k.add('importcfg', lines.join('\n'));
  }
  if (job.embedcfg) {
    let cfg: { Patterns?: Record<string, string[]>; Files?: Record<string, string> };
    try {
      const bytes = readFileSync(job.embedcfg);
      digests.push({ path: job.embedcfg, digest: digestBytes(ctx.algorithm, bytes).hash });
      cfg = JSON.parse(bytes.toString('utf8')) as typeof cfg;
    } catch {
      return undefined;
    }
    k.add('embed-patterns', JSON.stringify(cfg.Patterns ?? {}));
    for (const [name, path] of Object.entries(cfg.Files ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) if (!(await file('embed', path, name))) return undefined;
  }
  if (job.tool === 'asm') {
    for (const dir of job.includeDirs) {
      let names: string[];
      try {
        names = readdirSync(dir).filter((n) => n.endsWith('.h')).sort();
      } catch {
        names = [];
      }
      k.add('include-dir', norm(dir));
      for (const n of names) if (!(await file('include', join(dir, n), n))) return undefined;
    }
  }
  return { key: k.finish().key, inputs: digests.map((d) => d.path), digests, env: runEnv };
}

/** The environment a step is run in, here or on an executor: the keyed variables and a private TMPDIR. */
export function goFillEnv(keyed: GoToolKey): Map<string, string> {
  return new Map([...keyed.env, ['TMPDIR', '/tmp']]);
}

/** An input's digest now, as goToolKey takes it (config files by their bytes: they are read whole). */
export async function goInputDigest(ctx: CacheContext, path: string, whole: boolean): Promise<string | undefined> {
  if (!whole) return (await filesOf(ctx).digest(path))?.digest.hash;
  try {
    return digestBytes(ctx.algorithm, readFileSync(path)).hash;
  } catch {
    return undefined;
  }
}

function safeRead(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
