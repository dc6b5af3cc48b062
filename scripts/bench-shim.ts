// `npm run bench`: what the shim adds to a compiler call, against running the tool directly,
// measured in one interleaved run (this machine is noisy, so ratios and medians only).
//   declined call:   shim → daemon says DECLINE → shim execs the tool   (gcc --version)
//   daemon-run call: shim → daemon runs the tool, streams it back      (gcc -c empty.c, REPRISE_CACHE=0)
//   cache hit:       shim → daemon replays the stored result           (gcc -c empty.c, cache on)
//   shim CPU:        user+sys of the shim process on daemon-run calls (the compiler is the
//                    daemon's child, so only the shim is counted), minus that of an empty
//                    static program (the cost of any process at all)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { installPaths } from '../src/runtime/install-paths.js';

const runs = Number(process.env.BENCH_RUNS ?? 200);
const dir = mkdtempSync(join(tmpdir(), 'reprise-bench-'));
const runtimeDir = join(dir, 'run');
const env = { ...process.env, REPRISE_RUNTIME_DIR: runtimeDir, REPRISE_CACHE_DIR: join(dir, 'cache'), LC_ALL: 'C' };
// The daemon reads REPRISE_CACHE when it starts: one daemon without a cache, one with.
const shimEnv = { ...env, PATH: `${installPaths.shimDir}:${process.env.PATH ?? ''}`, REPRISE_CACHE: '0' };
const cachedEnv = { ...shimEnv, REPRISE_CACHE: '1', REPRISE_RUNTIME_DIR: join(dir, 'run-cached') };
writeFileSync(join(dir, 'empty.c'), 'int x;\n');

function timeOnce(cmd: string[], e: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd[0]!, cmd.slice(1), { cwd: dir, env: e, stdio: 'ignore' });
  const t1 = process.hrtime.bigint();
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed: ${r.status}`);
  return Number(t1 - t0) / 1e6;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Interleaves bare and shim runs so that machine noise hits both alike. */
function compare(cmd: string[], n: number, through = shimEnv): { bare: number; shim: number } {
  const bare: number[] = [];
  const shim: number[] = [];
  for (let i = 0; i < 5; i++) timeOnce(cmd, through); // warm-up: daemon start, page cache, first store
  for (let i = 0; i < n; i++) {
    bare.push(timeOnce(cmd, env));
    shim.push(timeOnce(cmd, through));
  }
  return { bare: median(bare), shim: median(shim) };
}

/** Children's user+sys CPU seconds for N runs of a command, from bash's `times`. */
function loopCpu(cmd: string, e: NodeJS.ProcessEnv, n: number): number {
  const out = execFileSync('bash', ['-c', `for ((i=0;i<${n};i++)); do ${cmd} >/dev/null; done; times`], { cwd: dir, env: e, encoding: 'utf8' });
  const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(out.trim());
  if (!m) throw new Error(`cannot parse times: ${out}`);
  return Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]);
}

try {
  const declined = compare(['gcc', '--version'], runs);
  const ran = compare(['gcc', '-c', 'empty.c', '-o', 'empty.o'], Math.max(20, runs / 2));
  const hit = compare(['gcc', '-c', 'empty.c', '-o', 'empty.o'], Math.max(20, runs / 2), cachedEnv);
  const cpuRuns = runs * 2;
  writeFileSync(join(dir, 'nothing.c'), 'int main(void) { return 0; }\n');
  execFileSync('cc', ['-O2', '-static', '-o', join(dir, 'nothing'), join(dir, 'nothing.c')]);
  const shimCpu = loopCpu('gcc -c empty.c -o empty.o', shimEnv, cpuRuns);
  const nothingCpu = loopCpu('./nothing', env, cpuRuns);
  const cpuPerCall = ((shimCpu - nothingCpu) / cpuRuns) * 1000;
  const rows = [
    ['declined call (`gcc --version`)', declined.bare, declined.shim, 1],
    ['daemon-run call (`gcc -c empty.c`, cache off)', ran.bare, ran.shim, 3],
  ] as const;
  const gccVersion = execFileSync('gcc', ['-dumpfullversion'], { encoding: 'utf8' }).trim();
  console.log(`Shim overhead, ${new Date().toISOString().slice(0, 10)}, gcc ${gccVersion}, node ${process.version}, ${availableParallelism()} cores, medians of ${runs} interleaved runs\n`);
  console.log('| call | bare (ms) | through reprise (ms) | added (ms) | ratio | target |');
  console.log('|---|---|---|---|---|---|');
  for (const [name, b, s, target] of rows) {
    console.log(`| ${name} | ${b.toFixed(2)} | ${s.toFixed(2)} | ${(s - b).toFixed(2)} | ${(s / b).toFixed(3)}x | ≤ ${target} ms added |`);
  }
  console.log(`| cache hit (\`gcc -c empty.c\`) | ${hit.bare.toFixed(2)} | ${hit.shim.toFixed(2)} | ${(hit.shim - hit.bare).toFixed(2)} | ${(hit.shim / hit.bare).toFixed(3)}x | |`);
  console.log(`| shim process CPU per daemon-run call (user+sys, ${cpuRuns} calls, minus an empty static program) | | | ${cpuPerCall.toFixed(3)} | | < 0.5 ms |`);
} finally {
  for (const e of [env, cachedEnv]) spawnSync(process.execPath, [join(installPaths.root, 'bin', 'reprise.js'), 'daemon', 'stop'], { env: e, stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}
