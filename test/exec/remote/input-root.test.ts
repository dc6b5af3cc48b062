// The canonical input root and action encoding of remote execution (src/exec/remote): the same
// files, environment, outputs and platform in any order give the same action digest, the
// encoding is REAPI's (checked against protobuf bytes written by hand), and host paths mirror
// under the root.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { digestBytes } from '../../../src/hashing/create-hasher.js';
import { decodeReapiMessage } from '../../../src/reapi/load-reapi-protos.js';
import { buildInputRoot, InputRootError } from '../../../src/exec/remote/build-input-root.js';
import { buildRemoteAction } from '../../../src/exec/remote/build-remote-action.js';
import { mirrorHostFiles, mirroredPath, pathFromWorkingDir, type DigestMemo } from '../../../src/exec/remote/mirror-host-files.js';
import type { CommandSpec, InputFile } from '../../../src/exec/remote/types.js';

const file = (path: string, text: string, isExecutable = false): InputFile => {
  const data = Buffer.from(text);
  return { path, digest: digestBytes('sha256', data), isExecutable, source: { kind: 'bytes', data } };
};

const FILES = [
  file('usr/bin/gcc', 'driver', true),
  file('usr/lib/gcc/x86_64-linux-gnu/12/cc1', 'cc1', true),
  file('usr/include/stdio.h', 'stdio'),
  file('home/u/p/main.c', 'int main;'),
  file('home/u/p/inc/util.h', 'util'),
  file('home/u/p/B.h', 'capital'),
  file('home/u/p/a.h', 'lower'),
  file('home/u/p/same.h', 'util'), // the same bytes as util.h: one blob
];

const SPEC: CommandSpec = {
  arguments: ['../../../usr/bin/gcc', '-c', 'main.c', '-o', 'main.o'],
  env: new Map([
    ['PATH', '../../../usr/bin'],
    ['LC_ALL', 'C'],
    ['GCC_COLORS', ''],
  ]),
  outputFiles: ['main.o', 'main.d'],
  workingDirectory: 'home/u/p',
  platform: [
    { name: 'OSFamily', value: 'linux' },
    { name: 'ISA', value: 'x86-64' },
  ],
};

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

test('the same inputs in another order give the same input root and action digest', () => {
  const first = buildRemoteAction(buildInputRoot(FILES, 'sha256'), SPEC, { algorithm: 'sha256' });
  for (let seed = 1; seed <= 20; seed++) {
    const spec: CommandSpec = {
      ...SPEC,
      env: new Map(shuffled([...SPEC.env], seed)),
      outputFiles: shuffled(SPEC.outputFiles, seed),
      platform: shuffled(SPEC.platform, seed),
    };
    const again = buildRemoteAction(buildInputRoot(shuffled([...FILES, FILES[2]!], seed), 'sha256'), spec, { algorithm: 'sha256' });
    assert.deepEqual(again.digest, first.digest, `seed ${seed}`);
    assert.deepEqual(again.inputRoot.digest, first.inputRoot.digest);
    assert.ok(again.action.equals(first.action) && again.command.equals(first.command));
  }
  // Anything that changes what runs changes the digest.
  const changed = [
    buildRemoteAction(buildInputRoot([...FILES.slice(1), file('usr/bin/gcc', 'driver', false)], 'sha256'), SPEC, { algorithm: 'sha256' }),
    buildRemoteAction(buildInputRoot([...FILES, file('home/u/p/new.h', '')], 'sha256'), SPEC, { algorithm: 'sha256' }),
    buildRemoteAction(buildInputRoot(FILES, 'sha256'), { ...SPEC, env: new Map([...SPEC.env, ['LANG', 'C']]) }, { algorithm: 'sha256' }),
    buildRemoteAction(buildInputRoot(FILES, 'sha256'), { ...SPEC, workingDirectory: 'home/u' }, { algorithm: 'sha256' }),
    buildRemoteAction(buildInputRoot(FILES, 'sha256'), SPEC, { algorithm: 'sha256', salt: Buffer.from('x') }),
    buildRemoteAction(buildInputRoot(FILES, 'sha256'), SPEC, { algorithm: 'sha256', timeoutMs: 1000 }),
  ];
  for (const c of changed) assert.notEqual(c.digest.hash, first.digest.hash);
});

test('Directory messages are sorted by name; children are named by their digests; blobs are deduplicated', () => {
  const root = buildInputRoot(FILES, 'sha256');
  const read = (hash: string) => decodeReapiMessage('build.bazel.remote.execution.v2.Directory', root.directories.get(hash)!.data);
  const top = read(root.digest.hash);
  assert.deepEqual(top.directories.map((d) => d.name), ['home', 'usr']);
  let dir = top;
  for (const name of ['home', 'u', 'p']) dir = read(dir.directories.find((d) => d.name === name)!.digest!.hash);
  // Byte order: capitals before lower case.
  assert.deepEqual(dir.files.map((f) => f.name), ['B.h', 'a.h', 'main.c', 'same.h']);
  assert.deepEqual(dir.directories.map((d) => d.name), ['inc']);
  // UTF-8 byte order, not JavaScript's UTF-16 order: U+FF21 (EF BC A1) before U+1F600 (F0 9F 98 80, a surrogate pair in UTF-16).
  const wide = buildInputRoot([file('\u{1F600}', 'a'), file('\uFF21', 'b'), file('z', 'c')], 'sha256');
  assert.deepEqual(decodeReapiMessage('build.bazel.remote.execution.v2.Directory', wide.directories.get(wide.digest.hash)!.data).files.map((f) => f.name), ['z', '\uFF21', '\u{1F600}']);
  const usrBin = read(read(top.directories[1]!.digest!.hash).directories.find((d) => d.name === 'bin')!.digest!.hash);
  assert.equal(usrBin.files[0]!.isExecutable, true);
  assert.equal(root.fileCount, FILES.length);
  assert.equal(root.files.size, FILES.length - 1, 'util.h and same.h are one blob');
  // Every Directory is stored under the digest of its bytes.
  for (const [hash, d] of root.directories) assert.equal(digestBytes('sha256', d.data).hash, hash);
  // The empty tree is the empty Directory, whose encoding is the empty blob.
  assert.equal(buildInputRoot([], 'sha256').digest.hash, digestBytes('sha256', Buffer.alloc(0)).hash);
});

test('a directory encoded before gives the same message again; any field of an entry changed gives another', () => {
  const first = buildInputRoot(FILES, 'sha256');
  const again = buildInputRoot([...FILES].reverse(), 'sha256');
  assert.equal(again.digest.hash, first.digest.hash);
  assert.deepEqual([...again.directories.keys()].sort(), [...first.directories.keys()].sort());
  for (const [hash, d] of again.directories) assert.ok(d.data.equals(first.directories.get(hash)!.data));
  const base = [file('d/x', 'hello'), file('d/y', 'world', true)];
  const digestOf = (files: InputFile[]): string => buildInputRoot(files, 'sha256').digest.hash;
  const seen = new Set([digestOf(base)]);
  for (const changed of [
    [file('d/x', 'hello', true), base[1]!],
    [{ ...base[0]!, digest: { ...base[0]!.digest, size: base[0]!.digest.size + 1 } }, base[1]!],
    [file('d/x', 'hellO'), base[1]!],
    [file('d/z', 'hello'), base[1]!],
    [file('e/x', 'hello'), base[1]!],
  ]) seen.add(digestOf(changed));
  assert.equal(seen.size, 6);
  assert.equal(buildInputRoot(base, 'blake3').digest.hash === digestOf(base), false, 'another digest function: its own messages');
});

test('the encoding is REAPI protobuf, byte for byte (written by hand here)', () => {
  const f = file('x', 'hello', true);
  const root = buildInputRoot([f], 'sha256');
  const digest = Buffer.concat([field(1, Buffer.from(f.digest.hash)), Buffer.from([0x10, f.digest.size])]);
  const fileNode = Buffer.concat([field(1, Buffer.from('x')), field(2, digest), Buffer.from([0x20, 0x01])]);
  const expected = field(1, fileNode);
  assert.deepEqual(root.directories.get(root.digest.hash)!.data, expected);
});

/** A length-delimited protobuf field (lengths below 128 only). */
function field(n: number, body: Buffer): Buffer {
  assert.ok(body.length < 128);
  return Buffer.concat([Buffer.from([(n << 3) | 2, body.length]), body]);
}

test('paths the tree cannot hold are refused', () => {
  for (const bad of ['', '/abs', 'a//b', 'a/./b', 'a/../b', 'a/']) assert.throws(() => buildInputRoot([file(bad, '')], 'sha256'), InputRootError, bad);
  assert.throws(() => buildInputRoot([file('a/b', '1'), file('a/b', '2')], 'sha256'), InputRootError);
  assert.throws(() => buildInputRoot([file('a', '1'), file('a/b', '2')], 'sha256'), InputRootError);
  assert.throws(() => buildInputRoot([file('a/b', '2'), file('a', '1')], 'sha256'), InputRootError);
  assert.throws(() => buildRemoteAction(buildInputRoot([], 'sha256'), { ...SPEC, outputFiles: ['/abs.o'] }, { algorithm: 'sha256' }));
});

test('host paths mirror under the root, and the command names them from its working directory', async () => {
  assert.equal(mirroredPath('/usr/bin/gcc'), 'usr/bin/gcc');
  assert.equal(mirroredPath('/usr//lib/../bin/'), 'usr/bin');
  assert.equal(mirroredPath('/'), '');
  assert.equal(pathFromWorkingDir('/usr/bin/gcc', '/home/u/p'), '../../../usr/bin/gcc');
  assert.equal(pathFromWorkingDir('/home/u/p/inc', '/home/u/p'), 'inc');
  assert.equal(pathFromWorkingDir('/', '/home/u/p'), '../../..');
  assert.equal(pathFromWorkingDir('/usr/bin/gcc', '/'), 'usr/bin/gcc');
  assert.equal(pathFromWorkingDir('/home/u/p', '/home/u/p'), '.');

  const dir = mkdtempSync(join(tmpdir(), 'reprise-mirror-'));
  try {
    mkdirSync(join(dir, 'tool', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'tool', 'prog-12'), 'binary');
    chmodSync(join(dir, 'tool', 'prog-12'), 0o755);
    symlinkSync('prog-12', join(dir, 'tool', 'prog'));
    writeFileSync(join(dir, 'tool', 'sub', 'h.h'), 'header');
    writeFileSync(join(dir, 'tool', 'sub', 'lib.a'), 'archive');
    const files = await mirrorHostFiles([join(dir, 'tool', 'prog'), join(dir, 'tool', 'sub')], { algorithm: 'sha256', keep: (p) => !p.endsWith('.a') });
    const byPath = new Map(files.map((f) => [f.path, f]));
    const prog = byPath.get(mirroredPath(join(dir, 'tool', 'prog')));
    assert.ok(prog, 'the symlink is a file at its own path');
    assert.equal(prog.isExecutable, true);
    assert.deepEqual(prog.digest, digestBytes('sha256', Buffer.from('binary')));
    assert.ok(byPath.has(mirroredPath(join(dir, 'tool', 'sub', 'h.h'))));
    assert.ok(!byPath.has(mirroredPath(join(dir, 'tool', 'sub', 'lib.a'))), 'the filter applies inside walked directories');
    await assert.rejects(mirrorHostFiles([join(dir, 'absent')], { algorithm: 'sha256' }), InputRootError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("actions built at once share each file's hashing through the memo, and a changed file is hashed again", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reprise-mirror-memo-'));
  try {
    mkdirSync(join(dir, 'tool'));
    for (let i = 0; i < 20; i++) writeFileSync(join(dir, 'tool', `f${i}`), `file ${i}`);
    const memo: DigestMemo = new Map();
    const first = mirrorHostFiles([join(dir, 'tool')], { algorithm: 'sha256', memo });
    // Every file is in the memo as soon as the walk is done, before any is hashed: a second
    // action built meanwhile waits on the same hashing instead of starting its own.
    assert.equal(memo.size, 20);
    const pending = new Map([...memo].map(([p, e]) => [p, e.digest]));
    const second = mirrorHostFiles([join(dir, 'tool')], { algorithm: 'sha256', memo });
    for (const [p, d] of pending) assert.equal(memo.get(p)!.digest, d, `${p}: one hashing`);
    const [a, b] = await Promise.all([first, second]);
    assert.deepEqual(a, b);
    assert.deepEqual(a.find((f) => f.path.endsWith('/f3'))!.digest, digestBytes('sha256', Buffer.from('file 3')));

    writeFileSync(join(dir, 'tool', 'f3'), 'changed, and longer');
    const third = await mirrorHostFiles([join(dir, 'tool')], { algorithm: 'sha256', memo });
    assert.deepEqual(third.find((f) => f.path.endsWith('/f3'))!.digest, digestBytes('sha256', Buffer.from('changed, and longer')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
