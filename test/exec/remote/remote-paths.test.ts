// Depfiles and messages from an executor name its root; mapped back, they are the host's.
import assert from 'node:assert/strict';
import test from 'node:test';
import { renderDepfile } from '../../../src/adapters/gcc/depfile-template.js';
import { fixRemotePaths, readsOutsideRoot } from '../../../src/exec/remote/build-gcc-action.js';
import { fixRemoteDepfile } from '../../../src/exec/remote/fix-remote-depfile.js';
import { EXECUTOR_TMP, mapRemoteTrace } from '../../../src/exec/remote/map-remote-trace.js';
import { parseLookupTrace } from '../../../src/exec/parse-lookup-trace.js';

const HOST_DEPS = ['main.c', '/usr/include/stdc-predef.h', '/usr/include/stdio.h', '/usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h', 'inc/util.h', 'inc/with space.h'];
const ROOT = '/var/worker/work/build-0123456789abcdef';

test('a remote depfile becomes the host\'s, wrapped as gcc wraps it, with and without -MP', () => {
  for (const phony of [false, true]) {
    const targets = [{ make: 'out/main.o', quoted: true }];
    const remoteDeps = HOST_DEPS.map((d) => (d.startsWith('/') ? `${ROOT}${d}` : d));
    const remote = Buffer.from(renderDepfile('gcc', targets, remoteDeps, phony));
    const host = renderDepfile('gcc', targets, HOST_DEPS, phony);
    assert.notEqual(remote.toString().split('\n').length, host.split('\n').length, 'the long names wrap differently');
    assert.equal(fixRemoteDepfile(remote, ROOT)?.toString(), host);
  }
  // Not laid out as gcc writes it: not rewritten.
  assert.equal(fixRemoteDepfile(Buffer.from(`out/main.o: ${ROOT}/usr/include/stdio.h   main.c\n`), ROOT), undefined);
});

test('messages name host paths again; a root with a space is mapped in its make-quoted form too', () => {
  assert.equal(fixRemotePaths(Buffer.from(`. ${ROOT}/usr/include/stdio.h\nmain.c:1: warning\n`), ROOT).toString(), '. /usr/include/stdio.h\nmain.c:1: warning\n');
  assert.equal(fixRemotePaths(Buffer.from('a: /w/my\\ root/usr/x.h'), '/w/my root').toString(), 'a: /usr/x.h');
  assert.equal(fixRemotePaths(Buffer.from('unchanged'), '').toString(), 'unchanged');
});

test('reads outside the input root are found in the depfile', () => {
  const cwd = '/home/u/p';
  const dep = (s: string) => Buffer.from(`x.o: ${s}\n`);
  assert.equal(readsOutsideRoot(dep(`main.c inc/util.h ../q/x.h ${ROOT}/usr/include/stdio.h`), ROOT, cwd), undefined);
  assert.equal(readsOutsideRoot(dep('main.c /etc/passwd'), ROOT, cwd), '/etc/passwd');
  assert.equal(readsOutsideRoot(dep('../../../../x.h'), ROOT, cwd), '../../../../x.h');
  assert.equal(readsOutsideRoot(dep(`${ROOT}-other/x.h`), ROOT, cwd), `${ROOT}-other/x.h`);
  assert.ok(readsOutsideRoot(dep('main.c'), '', cwd));
  // With the toolchain in the image, absolute reads under what the image answers for are its own; nothing else outside the root is.
  const image = ['/usr/include', '/usr/lib/gcc/x86_64-linux-gnu/12'];
  assert.equal(readsOutsideRoot(dep('main.c /usr/include/stdio.h /usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h'), ROOT, cwd, image), undefined);
  assert.equal(readsOutsideRoot(dep('main.c /usr/include/../../etc/passwd'), ROOT, cwd, image), '/usr/include/../../etc/passwd');
  assert.equal(readsOutsideRoot(dep('/usr/include-extra/x.h'), ROOT, cwd, image), '/usr/include-extra/x.h');
  assert.equal(readsOutsideRoot(dep('../../../../usr/include/stdio.h'), ROOT, cwd, image), '../../../../usr/include/stdio.h', 'a relative climb out of the root is not the image');
  assert.equal(readsOutsideRoot(dep('/usr/include/stdio.h'), ROOT, cwd), '/usr/include/stdio.h', 'without an image, the executor\'s headers are outside');
});

test('a lookup trace from the executor reads as the host\'s: the root mapped to /, its /tmp set apart, its own disk listed', () => {
  const rec = (kind: string, answer: string, path: string): string => `${kind}${answer}${path}\0`;
  const data = Buffer.from([
    ...['1', '2', '3'].map((pid) => rec('B', '+', pid)),
    rec('r', '+', `${ROOT}/usr/include/stdio.h`),
    rec('s', '-', `${ROOT}/tmp/proj/util.h`),
    rec('s', '-', '/usr/lib/gcc/x86_64-linux-gnu/specs'),
    rec('w', '+', '/tmp/ccA1b2.s'),
    rec('r', '+', '/proc/self/maps'),
    rec('x', '?', '../../usr/bin/gcc'),
    rec('x', '?', '?/as'),
    ...['1', '2', '3'].map((pid) => rec('E', '+', pid)),
  ].join(''));
  const { trace, outside } = mapRemoteTrace(parseLookupTrace(data), ROOT, '/tmp/proj');
  assert.equal(trace.complete, true);
  assert.deepEqual([...trace.reads], [['/usr/include/stdio.h', 'found'], ['/proc/self/maps', 'found']]);
  assert.deepEqual([...trace.looks], [['/tmp/proj/util.h', 'absent'], ['/usr/lib/gcc/x86_64-linux-gnu/specs', 'absent']]);
  assert.deepEqual([...trace.writes], [[`${EXECUTOR_TMP}/ccA1b2.s`, 'found']], 'the executor\'s /tmp is never the host\'s (a project may live there)');
  assert.deepEqual([...trace.execs].sort(), ['/usr/bin/gcc', 'as'], 'a relative program from the working directory, a bare one through PATH');
  assert.deepEqual([...outside], ['/usr/lib/gcc/x86_64-linux-gnu/specs']);
});
