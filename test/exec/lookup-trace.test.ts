// The lookup tracer (shims/lookup-trace.c) preloaded into a real program, its parser, and
// the coverage check that decides whether a traced fill may be stored.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { parseLookupTrace } from '../../src/exec/parse-lookup-trace.js';
import { installPaths } from '../../src/runtime/install-paths.js';
import { traceCoverage, type KeyCoverage } from '../../src/pipeline/trace-coverage.js';
import { run, text } from '../helpers/run.js';

const rec = (...records: string[]): Buffer => Buffer.from(records.map((r) => `${r}\0`).join(''));

test('the tracer records opens, stats, access, opendir, getenv, mkstemp and execs with their answers, paths made absolute', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reprise-trace-'));
  try {
    writeFileSync(join(dir, 'p.c'), [
      '#include <stdio.h>', '#include <stdlib.h>', '#include <fcntl.h>', '#include <unistd.h>', '#include <dirent.h>', '#include <sys/stat.h>',
      'int main(void) {',
      '  struct stat st; int fd = open("there.txt", O_RDONLY); if (fd >= 0) close(fd);',
      '  stat("missing.h", &st); access("/nonexistent/x", F_OK); FILE *f = fopen("there.txt", "r"); if (f) fclose(f);',
      '  DIR *d = opendir("."); if (d) closedir(d); getenv("REPRISE_TEST_VAR"); char t[] = "tmpXXXXXX"; int m = mkstemp(t); if (m >= 0) { close(m); unlink(t); }',
      '  execl("/bin/true", "true", (char *)0); return 1; }', '',
    ].join('\n'));
    writeFileSync(join(dir, 'there.txt'), 'x');
    const cc = await run('cc', ['-o', join(dir, 'p'), join(dir, 'p.c')]);
    assert.equal(cc.code, 0, text(cc));
    const trace = join(dir, 'trace');
    writeFileSync(trace, '');
    const r = await run(join(dir, 'p'), [], { cwd: dir, env: { ...process.env, LD_PRELOAD: installPaths.lookupTrace, REPRISE_TRACE: trace } });
    assert.equal(r.code, 0, text(r));
    const t = parseLookupTrace(readFileSync(trace));
    assert.equal(t.reads.get(join(dir, 'there.txt')), 'found');
    assert.equal(t.looks.get(join(dir, 'missing.h')), 'absent');
    assert.equal(t.looks.get('/nonexistent/x'), 'absent');
    assert.equal(t.listed.get(dir), 'found');
    assert.equal(t.env.get('REPRISE_TEST_VAR'), false);
    assert.deepEqual([...(t.envReaders.get('REPRISE_TEST_VAR') ?? [])], [join(dir, 'p')], 'by the program that read it');
    assert.ok([...t.writes.keys()].some((p) => p.startsWith(join(dir, 'tmp'))), 'the temporary file');
    assert.ok(t.execs.has('/bin/true'));
    // /bin/true is dynamically linked here, so it loaded the tracer too: the trace is whole.
    assert.equal(t.complete, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the tracer records a process that reads the time of day (time, gettimeofday, a realtime clock_gettime), by its program, and not one that only times itself', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reprise-trace-'));
  try {
    const traced = async (name: string, body: string) => {
      writeFileSync(join(dir, `${name}.c`), `#include <time.h>\n#include <sys/time.h>\nint main(void) { ${body} return 0; }\n`);
      const cc = await run('cc', ['-o', join(dir, name), join(dir, `${name}.c`)]);
      assert.equal(cc.code, 0, text(cc));
      const trace = join(dir, `${name}.trace`);
      writeFileSync(trace, '');
      const r = await run(join(dir, name), [], { cwd: dir, env: { ...process.env, LD_PRELOAD: installPaths.lookupTrace, REPRISE_TRACE: trace } });
      assert.equal(r.code, 0, text(r));
      return parseLookupTrace(readFileSync(trace)).clock;
    };
    for (const [name, body] of [['t', 'time(0);'], ['g', 'struct timeval v; gettimeofday(&v, 0);'], ['r', 'struct timespec s; clock_gettime(CLOCK_REALTIME, &s); clock_gettime(CLOCK_REALTIME, &s);']]) {
      assert.deepEqual([...(await traced(name!, body!))], [join(dir, name!)], name);
    }
    assert.deepEqual([...(await traced('m', 'struct timespec s; clock_gettime(CLOCK_MONOTONIC, &s);'))], [], 'a monotonic clock measures, it tells no date');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the tracer names the library whose code read a variable (a dlopen\'ed one, by a relative path), not the program; and writes the environment of the program REPRISE_ENVIRON_OF names', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reprise-trace-'));
  try {
    writeFileSync(join(dir, 'm.c'), '#include <stdlib.h>\nconst char *m(void) { return getenv("REPRISE_TEST_LIB_VAR"); }\n');
    writeFileSync(join(dir, 'p.c'), [
      '#include <dlfcn.h>', '#include <stdlib.h>',
      'int main(void) { getenv("REPRISE_TEST_OWN_VAR"); void *h = dlopen("./libm-test.so", RTLD_NOW); if (!h) return 2;',
      '  const char *(*m)(void) = (const char *(*)(void))dlsym(h, "m"); m(); return 0; }', '',
    ].join('\n'));
    for (const args of [['-shared', '-fPIC', '-o', 'libm-test.so', 'm.c'], ['-o', 'p', 'p.c', '-ldl']]) {
      const cc = await run('cc', args, { cwd: dir });
      assert.equal(cc.code, 0, text(cc));
    }
    const trace = join(dir, 'trace');
    const environ = join(dir, 'environ');
    writeFileSync(trace, '');
    writeFileSync(environ, '');
    const r = await run(join(dir, 'p'), [], { cwd: dir, env: { ...process.env, LD_PRELOAD: installPaths.lookupTrace, REPRISE_TRACE: trace, REPRISE_ENVIRON_OF: join(dir, 'p'), REPRISE_ENVIRON_TO: environ, REPRISE_TEST_LIB_VAR: 'v' } });
    assert.equal(r.code, 0, text(r));
    const t = parseLookupTrace(readFileSync(trace));
    assert.ok(t.loaded.has(join(dir, 'libm-test.so')));
    assert.deepEqual([...(t.envCallers.get('REPRISE_TEST_LIB_VAR') ?? [])], [join(dir, 'libm-test.so')], 'the library, made absolute as its dlopen record is');
    assert.equal(t.envCallers.get('REPRISE_TEST_OWN_VAR'), undefined, 'the program\'s own reads are its e records\' alone');
    assert.deepEqual([...(t.envReaders.get('REPRISE_TEST_LIB_VAR') ?? [])], [join(dir, 'p')]);
    const env = readFileSync(environ, 'utf8').split('\0');
    assert.ok(env.includes('REPRISE_TEST_LIB_VAR=v'), 'the program\'s environment, whole');
    // Another program (the same variables) writes nothing.
    writeFileSync(environ, '');
    const other = await run('/bin/true', [], { cwd: dir, env: { ...process.env, LD_PRELOAD: installPaths.lookupTrace, REPRISE_ENVIRON_OF: join(dir, 'p'), REPRISE_ENVIRON_TO: environ } });
    assert.equal(other.code, 0, text(other));
    assert.equal(readFileSync(environ, 'utf8'), '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a trace is incomplete when a process left no end record, when an exec went through without a traced image, or when nothing was traced', () => {
  assert.equal(parseLookupTrace(rec('B+1', 's-/a', 'E+1')).complete, true);
  assert.equal(parseLookupTrace(rec('B+1', 's-/a')).complete, false, 'killed');
  assert.equal(parseLookupTrace(rec('B+1', 'x?/bin/static', 'E+1')).complete, false, 'a program that did not load the tracer');
  assert.equal(parseLookupTrace(rec('B+1', 'x?/bin/x', 'x-/bin/x', 'E+1')).complete, true, 'a failed exec starts nothing');
  assert.equal(parseLookupTrace(rec('B+1', 'x?/bin/x', 'B+1', 'E+1')).complete, true, 'the exec\'d image ends for the pid');
  assert.equal(parseLookupTrace(rec()).complete, false);
  assert.equal(parseLookupTrace(Buffer.from('B+1\0s-/a')).complete, false, 'a record cut short');
  assert.equal(parseLookupTrace(rec('B+1', 's+/usr/lib/gcc/12/.', 'E+1')).looks.get('/usr/lib/gcc/12'), 'found');
});

const key = (over: Partial<KeyCoverage> = {}): KeyCoverage => ({
  files: new Set(['/w/a.c', '/usr/include/stdio.h']),
  absent: ['/w/inc', '/usr/local/include/stdio.h'],
  exist: new Set(['/w', '/usr/include']),
  toolchain: ['/usr/lib/gcc/x86_64-linux-gnu/12', '/usr/bin/gcc'],
  programs: ['/usr/bin/gcc', '/usr/lib/gcc/x86_64-linux-gnu/12/cc1', '/usr/bin/as'],
  own: ['/scratch', '/w/a.o'],
  env: new Set(['PATH', 'CPATH']),
  local: ['/w'],
  listable: ['/opt'],
  placeable: (p) => p.startsWith('/w/inc1/'),
  isDir: (p) => p === '/w/dir',
  ...over,
});
const trace = (...records: string[]): ReturnType<typeof parseLookupTrace> => parseLookupTrace(rec('B+1', ...records, 'E+1'));

test('coverage: what the key holds passes; what it lacks is added where it can be, or names its reason', () => {
  assert.deepEqual(traceCoverage(trace('r+/w/a.c', 'r+/usr/include/stdio.h', 's-/w/inc/x.h', 's-/usr/local/include/stdio.h', 's+/w', 's+/usr', 'eCPATH', 'x?/usr/lib/gcc/x86_64-linux-gnu/12/cc1', 'B+2', 'E+2', 'x??/as', 'B+3', 'E+3', 'w+/w/a.o', 'r+/proc/self/maps'), key()),
    { kind: 'covered', addAbsent: [], addPresent: [], addRead: [] });
  // Outside the checkout: joins the key.
  assert.deepEqual(traceCoverage(trace('s-/usr/x86_64-linux-gnu/lib/specs', 's+/usr/lib/x86_64-linux-gnu', 'r+/etc/os-release'), key()),
    { kind: 'covered', addAbsent: ['/usr/x86_64-linux-gnu/lib/specs'], addPresent: ['/usr/lib/x86_64-linux-gnu'], addRead: ['/etc/os-release'] });
  const gap = (records: string[], over?: Partial<KeyCoverage>): string | undefined => {
    const c = traceCoverage(trace(...records), key(over));
    return c.kind === 'gap' ? c.reason : undefined;
  };
  assert.equal(gap(['s-/w/q/x.h.gch']), 'unkeyed-lookup', 'absent in the checkout, not kept absent');
  assert.deepEqual(traceCoverage(trace('s-/w/inc1/x.h.gch'), key()), { kind: 'covered', addAbsent: ['/w/inc1/x.h.gch'], addPresent: [], addRead: [] }, 'below a search directory: joins the key');
  assert.equal(gap(['s+/w/other.h']), 'unkeyed-lookup', 'present in the checkout, not keyed');
  assert.equal(gap(['d+/w/sub']), 'directory-listed');
  assert.equal(gap(['d+/opt']), undefined, 'a listing the toolchain makes');
  assert.equal(gap(['x?/tmp/evil', 'B+2', 'E+2']), 'unkeyed-program');
  assert.equal(gap(['eGCC_MYSTERY']), 'unkeyed-env');
  assert.equal(gap(['w!/w/other.o']), 'sandbox-violation', 'a write refused inside would have gone through outside');
  assert.equal(gap(['w+/w/tmp.o', 's+/w/tmp.o']), undefined, 'what the compile made itself');
  assert.equal(gap(['r+/w/dir'], { exist: new Set(['/w', '/w/dir']) }), undefined, 'a directory opened where a header was searched');
  assert.equal(gap(['B+2']), 'trace-incomplete');
});
