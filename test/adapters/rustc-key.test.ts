// The rustc direct key's spelling of paths under a cargo target directory: two target
// directories with the same layout key alike; anything whose spelling can reach an output
// keeps its absolute path.
import assert from 'node:assert/strict';
import test from 'node:test';
import { parseRustcArgs } from '../../src/adapters/rustc/parse-rustc-args.js';
import { rustDirectKey } from '../../src/adapters/rustc/rustc-key.js';
import type { RustToolIdentity } from '../../src/adapters/rustc/identify-rustc.js';

const tool: RustToolIdentity = { version: 'rustc 1.95.0', host: 'x86_64-unknown-linux-gnu', sysroot: '/sys', rustc: '/sys/bin/rustc', parts: [] };
const REG = '/usr/share/cargo/registry/x-1';

function key(t: string, extra: string[] = [], env: Record<string, string> = {}, targetDir: string | null = t): string {
  const p = parseRustcArgs(['--crate-name', 'x', `${REG}/src/lib.rs`, '--crate-type', 'lib', '--emit=dep-info,metadata,link', '--out-dir', `${t}/debug/deps`,
    '-L', `dependency=${t}/debug/deps`, '--extern', `y=${t}/debug/deps/liby-1.rmeta`, ...extra]);
  assert.equal(p.kind, 'compile');
  if (p.kind !== 'compile') throw new Error('not a compile');
  return rustDirectKey({
    algorithm: 'blake3', tool, job: p.job, terminalArgs: [], cwd: REG, env: new Map(Object.entries({ OUT_DIR: `${t}/debug/build/x-2/out`, LD_LIBRARY_PATH: `${t}/debug/deps:/sys/lib`, ...env })),
    sourceDigest: 'aa', externDigests: ['bb'], hostCpu: undefined, linker: undefined, targetDir: targetDir ?? undefined,
  }).key;
}

test('two target directories with the same layout key alike', () => {
  assert.equal(key('/w/a/target'), key('/elsewhere/longer/b/target'));
});

test('what still tells them apart', () => {
  const a = '/w/a/target';
  const b = '/w/b/target';
  assert.notEqual(key(a, ['-C', `link-arg=${a}/x.o`]), key(b, ['-C', `link-arg=${b}/x.o`]), 'a linker argument (it can reach the output)');
  assert.notEqual(key(a, [], { CARGO_MANIFEST_DIR: `${a}/m` }), key(b, [], { CARGO_MANIFEST_DIR: `${b}/m` }), 'other variables, as given');
  assert.notEqual(key(a, [], {}, null), key(b, [], {}, null), 'no target directory found: absolute paths');
  assert.notEqual(key(a), key(a, [], {}, null), 'spelled from the target directory or not, never the same key');
  assert.notEqual(key(a), key(a, [], { OUT_DIR: `${a}/debug/build/x-3/out` }), 'a different place under the target directory');
});
