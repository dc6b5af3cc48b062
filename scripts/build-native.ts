// Part of `npm run build` (and so of `npm ci`): checks the generated protocol header,
// compiles the C shim with the system cc, writes the daemon launcher and the checkout's
// own shim directory. No node-gyp, no download.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installPaths } from '../src/runtime/install-paths.js';
import { installShims } from '../src/runtime/install-shims.js';

const root = installPaths.root;
execFileSync(process.execPath, [join(root, 'dist/scripts/gen-protocol-header.js'), '--check'], { stdio: 'inherit' });
mkdirSync(join(root, 'build'), { recursive: true });
const cc = process.env.CC ?? 'cc';
// Every file is written beside its place and renamed over it: a build running through the
// shims while reprise is rebuilt keeps executing whole binaries (old or new), never a half-written one.
const tmpOf = (path: string): string => `${path}.tmp-${process.pid}`;
for (const [sources, output] of [[['shims/shim.c', 'shims/ticket.c', 'shims/blake3.c', 'shims/cacheprog.c', 'shims/go-index.c'], installPaths.shimBinary], [['shims/spawner.c'], installPaths.spawner]] as const) {
  const source = sources[0];
  const flags = ['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror', '-D_GNU_SOURCE', '-o', tmpOf(output), ...sources.map((f) => join(root, f))];
  // Static: exec of a dynamically linked shim costs about 0.25 ms more CPU per call here
  // (docs/benchmarks.md). Without libc.a, a dynamic build works the same, only slower.
  try {
    execFileSync(cc, ['-static', ...flags], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch {
    console.warn(`reprise build: static link of ${source} failed (no libc.a?); linking it dynamically`);
    execFileSync(cc, flags, { stdio: 'inherit' });
  }
  renameSync(tmpOf(output), output);
}

// The lookup tracer is a shared object by nature: the dynamic loader preloads it into the compiler.
execFileSync(cc, ['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror', '-D_GNU_SOURCE', '-shared', '-fPIC', '-o', tmpOf(installPaths.lookupTrace), join(root, 'shims/lookup-trace.c')], { stdio: 'inherit' });
renameSync(tmpOf(installPaths.lookupTrace), installPaths.lookupTrace);

// The shim starts the daemon through this launcher; it pins the node that built us.
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
writeFileSync(tmpOf(installPaths.launcher), `#!/bin/sh\nexec ${q(process.execPath)} ${q(installPaths.daemonMain)} "$@"\n`);
chmodSync(tmpOf(installPaths.launcher), 0o755);
renameSync(tmpOf(installPaths.launcher), installPaths.launcher);
installShims(installPaths.shimDir, installPaths.shimBinary);
