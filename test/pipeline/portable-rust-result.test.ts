// How a rustc result is stored for other cargo target directories: which inputs are spelled
// from the target directory, which texts become templates, and what binds a result.
import assert from 'node:assert/strict';
import test from 'node:test';
import { portableRust } from '../../src/pipeline/rust/portable-rust-result.js';
import { renderTarget, templateTarget } from '../../src/pipeline/rust/target-template.js';

const T = '/w/a/target';
const B = (s: string): Buffer => Buffer.from(s);

test('templates: every DIR/ replaced, rendered for another directory, and refused where a replacement could be wrong', () => {
  const dep = B(`${T}/debug/deps/x-1.d: src/lib.rs\n\n${T}/debug/deps/libx-1.rmeta: src/lib.rs\n`);
  const tpl = templateTarget(dep, T)!;
  assert.ok(tpl && !tpl.includes(B(T)));
  assert.deepEqual(renderTarget(tpl, T), dep, 'renders back to the original');
  assert.equal(renderTarget(tpl, '/other/t').toString(), dep.toString().replaceAll(`${T}/`, '/other/t/'));
  const msg = B(`{"artifact":"${T}/debug/deps/libx-1.rmeta","emit":"metadata"}\n`);
  assert.equal(renderTarget(templateTarget(msg, T)!, '/b').toString(), '{"artifact":"/b/debug/deps/libx-1.rmeta","emit":"metadata"}\n');
  assert.deepEqual(templateTarget(B('no paths here'), T), B('no paths here'));
  assert.equal(templateTarget(B(`cd ${T} && ls`), T), undefined, 'the directory itself, not as a prefix');
  assert.equal(templateTarget(B(`/mnt${T}/x`), T), undefined, 'inside a longer path');
  assert.equal(templateTarget(B(`${T}-old/x`), T), undefined, 'a sibling whose name starts the same');
  assert.equal(templateTarget(B('a\0reprise:target-dir\0b'), T), undefined, 'the token itself');
});

const base = {
  inputs: [
    { path: '/usr/share/cargo/registry/x-1/src/lib.rs', digest: 'aa' },
    { path: `${T}/debug/deps/liby-2.rmeta`, digest: 'bb' },
    { path: `${T}/debug/build/z-3/out/libz.a`, digest: 'cc' },
  ],
  env: [{ name: 'CARGO_PKG_NAME', value: 'x' }],
  outputs: [B('rlib bytes'), B(`${T}/debug/deps/x-1.d: /usr/share/cargo/registry/x-1/src/lib.rs\n`)],
  text: [false, true],
};
const portable = (o: Partial<typeof base> & { stderr?: Buffer; target?: string | undefined } = {}) => {
  const x = { ...base, ...o };
  return portableRust('target' in o ? o.target : T, '/usr/share/cargo/registry/x-1', x.inputs, x.env, x.outputs, x.text, B(''), o.stderr ?? B(`{"artifact":"${T}/debug/deps/libx-1.rlib"}`));
};

test('a registry crate: crates and libraries under the target directory spelled from it, text templated, not bound', () => {
  const p = portable();
  assert.equal(p.bound, undefined);
  assert.equal(p.targetRelative, true);
  assert.deepEqual(p.inputs.map((i) => i.path), ['/usr/share/cargo/registry/x-1/src/lib.rs', '$PWD/debug/deps/liby-2.rmeta', '$PWD/debug/build/z-3/out/libz.a']);
  assert.deepEqual(p.outputs[0], B('rlib bytes'));
  assert.ok(!p.outputs[1]!.includes(B(T)) && !p.stderr.includes(B(T)));
});

test('what binds a result to its directories: a source under the target directory, a variable naming it, an output holding it, text that cannot be templated', () => {
  const cases: Array<[string, Parameters<typeof portable>[0]]> = [
    ['a generated source (include! from OUT_DIR)', { inputs: [...base.inputs, { path: `${T}/debug/build/x-9/out/gen.rs`, digest: 'dd' }] }],
    ['env! of OUT_DIR', { env: [{ name: 'OUT_DIR', value: `${T}/debug/build/x-9/out` }] }],
    ['an rlib holding the path', { outputs: [B(`bytes ${T}/debug/build/x-9/out/gen.rs bytes`), base.outputs[1]!] }],
    ['a message naming the directory itself', { stderr: B(`note: ${T} is full`) }],
  ];
  for (const [what, o] of cases) {
    const p = portable(o);
    assert.deepEqual(p.bound?.dirs, { cwd: '/usr/share/cargo/registry/x-1', pwd: T }, what);
    assert.equal(p.targetRelative, false, what);
    assert.deepEqual(p.inputs, (o?.inputs ?? base.inputs), `${what}: inputs kept absolute`);
  }
});

test('no target directory: stored as given', () => {
  const p = portable({ target: undefined });
  assert.equal(p.bound, undefined);
  assert.equal(p.targetRelative, false);
  assert.deepEqual(p.inputs, base.inputs);
  assert.deepEqual(p.outputs, base.outputs);
});
