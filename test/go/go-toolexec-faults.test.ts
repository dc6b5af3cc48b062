// Faults under a go build served through -toolexec (Debian's go 1.19, which reads no
// GOCACHEPROG), each with a deadline: the daemon killed while it runs a compile step, and
// the daemon's runtime dir unusable. Each build succeeds with the binary a bare go build
// makes; the lost compile is counted where it can be.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { go119ForTests } from '../helpers/go-toolchains.js';
import { goFaultKit } from '../helpers/go-fault-kit.js';
import { stats } from '../helpers/reprise-cli.js';
import { run } from '../helpers/run.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';
import { waitFor } from '../helpers/wait.js';
import { installPaths } from '../../src/runtime/install-paths.js';

const scratch = createWorkspace('reprise-toolexec-faults-');
test.after(() => scratch.cleanup());
const { tc, skip } = go119ForTests(scratch.realDir);

// Enough packages that the build is still compiling when the daemon is killed (go 1.19's std is prebuilt).
const PACKAGES = 24;
const proj = join(scratch.dir, 'many');
mkdirSync(proj, { recursive: true });
writeFileSync(join(proj, 'go.mod'), 'module example.com/many\n\ngo 1.19\n');
for (let i = 0; i < PACKAGES; i++) {
  mkdirSync(join(proj, `p${i}`), { recursive: true });
  writeFileSync(join(proj, `p${i}`, 'p.go'), `package p${i}\n\nimport "strings"\n\n// F folds its input ${i} times.\nfunc F(s string) string {\n\tfor k := 0; k < ${i + 1}; k++ {\n\t\ts = strings.ToUpper(s) + strings.Repeat("x", k%3)\n\t}\n\treturn s\n}\n`);
}
writeFileSync(join(proj, 'main.go'), `package main\n\nimport (\n\t"fmt"\n${Array.from({ length: PACKAGES }, (_, i) => `\t"example.com/many/p${i}"\n`).join('')})\n\nfunc main() {\n${Array.from({ length: PACKAGES }, (_, i) => `\tfmt.Println(p${i}.F("go"))\n`).join('')}}\n`);

const kit = goFaultKit(scratch, tc, proj);
const { envIn, bareBinary } = kit;
/** `reprise exec -- go build -p 2` (the shims first on PATH), checked against the bare binary. */
const buildChecked = (ws: Workspace, env: NodeJS.ProcessEnv): Promise<void> => kit.buildChecked(ws, env, { goArgs: ['-p', '2'] });

/** Whether a go compile step runs under this process (the daemon's fill). */
function compileUnder(pid: number): boolean {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  for (const [p] of parent) {
    let q: number | undefined = p;
    while (q && q !== pid) q = parent.get(q);
    if (q !== pid || p === pid) continue;
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('linux_amd64/compile')) return true;
    } catch {
      /* gone */
    }
  }
  return false;
}

const fallbackLines = (ws: Workspace): string[] => {
  const f = join(ws.runtimeDir, 'fallbacks');
  return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n') : [];
};

test('-toolexec: the daemon killed while it runs a compile: that step runs bare, the build succeeds, counted', { skip, timeout: 180_000 }, async () => {
  const ws = createWorkspace('reprise-toolexec-kill-');
  try {
    await bareBinary();
    const build = buildChecked(ws, envIn(ws, { REPRISE_GO: 'toolexec' }));
    const pidFile = join(ws.runtimeDir, 'daemon.pid');
    let pid = 0;
    await waitFor('the daemon to run a compile step', () => {
      if (!pid && existsSync(pidFile)) pid = Number(readFileSync(pidFile, 'utf8'));
      return pid > 0 && compileUnder(pid);
    }, 120_000, 5);
    process.kill(pid, 'SIGKILL');
    await build;
    // The shim logs the lost step to the runtime dir's fallbacks file, and a later daemon (the
    // shims started one for the rest of the build) takes the file in and counts it by tool and
    // reason: whether it has yet is a matter of timing, so the counters say (stats takes it in).
    const s = await stats(ws.env);
    const lost = (s.tools.compile?.fallbacks ?? 0) + (s.tools.asm?.fallbacks ?? 0);
    assert.ok(lost >= 1, `${JSON.stringify(s.tools)} ${fallbackLines(ws).join('; ')}`);
    assert.ok((s.fallbackReasons['connection-lost'] ?? 0) >= 1, JSON.stringify(s.fallbackReasons));
  } finally {
    ws.cleanup();
  }
});

test("-toolexec: the daemon's runtime dir unusable: the go shim runs go bare, and a -toolexec shim named by hand runs each tool bare", { skip, timeout: 180_000 }, async () => {
  const ws = createWorkspace('reprise-toolexec-rundir-');
  try {
    mkdirSync(ws.runtimeDir, { recursive: true });
    chmodSync(ws.runtimeDir, 0o755); // open to others: refused
    await buildChecked(ws, envIn(ws, { REPRISE_GO: 'toolexec', REPRISE_START_TIMEOUT_MS: '500' }));
    await buildChecked(ws, envIn(ws, { REPRISE_START_TIMEOUT_MS: '500', GOFLAGS: `-toolexec=${installPaths.shimBinary}` }));
    assert.ok(!existsSync(join(ws.runtimeDir, 'daemon.sock')));
  } finally {
    ws.cleanup();
  }
});
