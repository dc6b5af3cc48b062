import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeInvocation } from '../../adapters/make-invocation.js';
import { identifyGcc } from '../../adapters/gcc/identify-gcc.js';
import { scanContent } from '../../adapters/gcc/scan-content.js';
import { rustKeyFor } from '../../pipeline/rust/rust-key-for.js';
import { createRustContext } from '../../pipeline/rust/create-rust-context.js';
import { ghcKeyFor } from '../../pipeline/ghc/ghc-key-for.js';
import { createGhcContext } from '../../pipeline/ghc/create-ghc-context.js';
import { selectAdapter } from '../../adapters/select-adapter.js';
import { loadConfig, type Config } from '../../config/load-config.js';
import { createFileDigestCache } from '../../hashing/file-digest-cache.js';
import { directKeyFor } from '../../pipeline/direct-key-for.js';
import { usageCheck } from '../../pipeline/ghc/usage-views.js';
import { matchManifest, parseManifest, type Manifest } from '../../pipeline/manifest.js';
import { candidateCheck } from '../../pipeline/rust/crate-candidates.js';
import { CallFlag, type Call } from '../../protocol/frames.js';
import { calledTool } from '../../runtime/called-tool.js';
import { createLocalJsonStore } from '../../store/local/create-local-json-store.js';
import type { BuiltKey } from '../../keying/key-builder.js';

/**
 * `reprise explain -- gcc ARGS`: how reprise would treat this call, without compiling.
 * It prints every tagged key input with its value or digest, the direct key, and
 * whether the cache holds a matching result now.
 */
export async function explainCommand(cmd: string[]): Promise<number> {
  if (cmd[0] === undefined) {
    process.stderr.write('reprise explain: usage: reprise explain -- gcc -c x.c -o x.o\n');
    return 2;
  }
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  // A shim's path (as CMake records it) is resolved as the shim resolves it: the key is the build's.
  const called = calledTool(cmd);
  const [tool = '', ...rest] = called.argv;
  const shimName = called.name;
  const toolPath = called.toolPath;
  if (!toolPath || !existsSync(toolPath)) {
    process.stderr.write(`reprise explain: ${called.searched ? `${shimName}: not found on PATH${called.shim ? ` past the shims` : ''}` : `${toolPath}: no such file`}\n`);
    return 127;
  }
  const adapter = selectAdapter(shimName);
  out(`call: ${cmd.join(' ')}`);
  out(`tool: ${toolPath}${called.shim ? ` (what the shim ${called.shim} runs${called.searched ? `: ${shimName} on PATH past the shims` : ''})` : ''}`);
  if (!adapter) {
    out(`plan: passed through (unsupported-tool): no adapter claims "${shimName}"`);
    return 0;
  }
  const call: Call = {
    shimName, toolPath, cwd: process.cwd(), umask: 0o022, flags: process.stderr.isTTY ? CallFlag.STDERR_TTY : 0,
    stdinColumns: 0, stderrColumns: 0, argv: [tool, ...rest],
    env: Object.entries(process.env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`])),
  };
  const inv = makeInvocation(call);
  const plan = adapter.plan(inv);
  if (plan.kind === 'decline') return out(`plan: passed through (${plan.reason})`), 0;
  if (plan.kind === 'uncacheable') return out(`plan: not cached (${plan.reason})`), 0;
  if (plan.language === 'rust') return explainRust(out, { toolPath, cwd: call.cwd, keyCwd: inv.logicalCwd, env: new Map(inv.env), job: plan.job, terminalArgs: plan.terminalArgs });
  if (plan.language === 'ghc-make') return out(`plan: a ghc --make build, split into cached module jobs (one \`ghc -c\` per module of \`ghc -M\`'s graph; explain one of those)`), 0;
  if (plan.language === 'ghc') return explainGhc(out, { tool: shimName, toolPath, cwd: call.cwd, keyCwd: inv.logicalCwd, umask: 0o022, env: new Map(inv.env), job: { ...plan.job, outputs: [] }, terminalArgs: plan.terminalArgs });
  out(`plan: cacheable compile (${plan.job.language} → ${plan.job.outputs.map((o) => `${o.role} ${o.path}`).join(', ')})`);

  const config = loadConfig();
  const files = createFileDigestCache({ algorithm: config.digest, scan: scanContent });
  const toolFiles = createFileDigestCache({ algorithm: config.digest });
  const keyed = await directKeyFor(
    { algorithm: config.digest, baseDir: config.baseDir, files, identify: (p, env) => identifyGcc(p, env, toolFiles) },
    { toolPath, cwd: call.cwd, keyCwd: inv.logicalCwd, env: new Map(inv.env), job: plan.job, terminalArgs: plan.terminalArgs },
  );
  if (keyed.kind === 'uncacheable') return out(`plan: not cached (${keyed.reason})`), 0;
  out(`base dir: ${config.baseDir ?? '(unset: paths are keyed as given)'}${keyed.rebase.any ? '; paths under it are keyed from $PWD' : ''}`);
  return keyAndLookup(out, config, keyed.key, (m) => matchManifest(m, files, { cwd: call.cwd, pwd: inv.logicalCwd }), 'the files');
}

/** The rustc side: its direct key's inputs, and whether a recorded input set matches now. */
async function explainRust(out: (line: string) => void, c: Parameters<typeof rustKeyFor>[1]): Promise<number> {
  out(`plan: cacheable rustc compile (crate ${c.job.crateName}, ${c.job.crateTypes.join(',')} → ${c.job.outputs.map((o) => `${o.role} ${o.path}`).join(', ')})`);
  const config = loadConfig();
  const rust = createRustContext(config.digest);
  const keyed = await rustKeyFor({ algorithm: config.digest, rust }, c);
  if (keyed.kind === 'uncacheable') return out(`plan: not cached (${keyed.reason}${keyed.why ? `: ${keyed.why}` : ''})`), 0;
  return keyAndLookup(out, config, keyed.key, (m) => matchManifest(m, rust.files, { cwd: c.cwd, pwd: keyed.targetDir ?? c.keyCwd }, c.env, candidateCheck), 'the files and variables');
}

/** The ghc side: the module's outputs, its direct key, and whether a recorded input set matches now. */
async function explainGhc(out: (line: string) => void, c: Parameters<typeof ghcKeyFor>[1]): Promise<number> {
  const config = loadConfig();
  const ghc = createGhcContext(config.digest);
  const keyed = await ghcKeyFor({ algorithm: config.digest, ghc }, c);
  if (keyed.kind === 'uncacheable') return out(`plan: not cached (${keyed.reason}${keyed.why ? `: ${keyed.why}` : ''})`), 0;
  out(`plan: cacheable ghc compile (module ${keyed.moduleName} → ${keyed.outputs.map((o) => `${o.role} ${o.path}`).join(', ')})`);
  return keyAndLookup(out, config, keyed.key, (m) => matchManifest(m, keyed.files, { cwd: c.cwd, pwd: c.keyCwd }, c.env, usageCheck(config.digest, keyed.files, c.toolPath)), 'the files and variables');
}

/** Prints the key's tagged inputs and digest, then whether a recorded input set matches what `match` sees now. */
async function keyAndLookup(out: (line: string) => void, config: Config, key: BuiltKey, match: (m: Manifest) => Promise<string | undefined>, what: string): Promise<number> {
  out('key inputs:');
  const width = Math.max(...key.transcript.map((e) => e.tag.length));
  for (const e of key.transcript) out(`  ${e.tag.padEnd(width)}  ${e.value}`);
  out(`direct key: ${key.key}`);
  const manifests = createLocalJsonStore(join(config.cacheDir, config.digest), 'manifests', { parse: parseManifest });
  const manifest = await manifests.get(key.key);
  if (!manifest) out('cache: no manifest for this key: a miss');
  else {
    const result = await match(manifest);
    out(result ? `cache: a hit (result ${result}, ${manifest.entries.length} input sets recorded)` : `cache: a miss: none of the ${manifest.entries.length} recorded input sets matches ${what} now`);
  }
  return 0;
}
