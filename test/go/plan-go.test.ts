// The go shim's plan (pure), the `go version -m` reading, and GOCACHEPROG request parsing.
import assert from 'node:assert/strict';
import test from 'node:test';
import { cacheProgValue, planGo } from '../../src/adapters/go/plan-go.js';
import { parseGoVersionM, versionReadsCacheProg } from '../../src/adapters/go/probe-go.js';
import { parseGoProgRequest } from '../../src/pipeline/go/parse-goprog-request.js';

const reads = { version: 'go1.24.1', readsCacheProg: true };
const old = { version: 'go1.19.8', readsCacheProg: false };
const plan = (env: Record<string, string>, info = reads, argv = ['go', 'build']) => planGo(new Map(Object.entries(env)), argv, info, '/x/reprise-shim');

test('cacheprog when go reads it, else -toolexec; the user and REPRISE_GO win', () => {
  assert.deepEqual(plan({}), { kind: 'set', mode: 'cacheprog', env: ['GOCACHEPROG=/x/reprise-shim --cacheprog'] });
  assert.deepEqual(plan({}, old), { kind: 'set', mode: 'toolexec', env: ['GOFLAGS=-toolexec=/x/reprise-shim'] });
  assert.deepEqual(plan({ GOFLAGS: '-mod=mod' }, old), { kind: 'set', mode: 'toolexec', env: ['GOFLAGS=-mod=mod -toolexec=/x/reprise-shim'] });
  assert.deepEqual(planGo(new Map(), ['go'], old, '/a b/reprise-shim'), { kind: 'pass', reason: 'go-without-cacheprog' });
  assert.deepEqual(plan({ REPRISE_GO: 'cacheprog' }, old), { kind: 'set', mode: 'cacheprog', env: ['GOCACHEPROG=/x/reprise-shim --cacheprog'] });
  assert.deepEqual(plan({ REPRISE_GO: 'toolexec' }), { kind: 'set', mode: 'toolexec', env: ['GOFLAGS=-toolexec=/x/reprise-shim'] });
  assert.deepEqual(plan({ REPRISE_GO: 'off' }), { kind: 'pass', reason: 'go-mode-off' });
  assert.deepEqual(plan({ GOCACHEPROG: 'mine' }), { kind: 'pass', reason: 'user-gocacheprog' });
  assert.deepEqual(plan({ GOFLAGS: '-mod=mod -toolexec=strace' }), { kind: 'pass', reason: 'user-toolexec' });
  assert.deepEqual(plan({}, reads, ['go', 'build', '-toolexec', 'x', '.']), { kind: 'pass', reason: 'user-toolexec' });
  assert.deepEqual(planGo(new Map(), ['go', 'build'], undefined, '/x/reprise-shim'), { kind: 'pass', reason: 'go-unknown-version' });
});

test('GOCACHEPROG quotes a shim path with spaces (cmd/go splits it with quoted.Split)', () => {
  assert.equal(cacheProgValue('/a b/reprise-shim'), "'/a b/reprise-shim' --cacheprog");
  assert.equal(cacheProgValue("/a b'/reprise-shim"), `"/a b'/reprise-shim" --cacheprog`);
});

test('go version -m: the version and a compiled-in cacheprog experiment', () => {
  assert.deepEqual(parseGoVersionM('/root/go: go1.23.5\n\tpath\tcmd/go\n\tbuild\tGOEXPERIMENT=cacheprog\n'), { version: 'go1.23.5', readsCacheProg: true });
  assert.deepEqual(parseGoVersionM('/usr/lib/go-1.23/bin/go: go1.23.5\n\tpath\tcmd/go\n'), { version: 'go1.23.5', readsCacheProg: false });
  assert.equal(parseGoVersionM('garbage'), undefined);
  assert.ok(versionReadsCacheProg('go1.24rc1') && versionReadsCacheProg('go1.25.0') && !versionReadsCacheProg('go1.23.5'));
});

test('requests: 1.23 ObjectID and 1.24 OutputID; anything malformed is refused', () => {
  assert.deepEqual(parseGoProgRequest('{"ID":3,"Command":"put","ActionID":"AAEC","ObjectID":"AwQ=","BodySize":5}'), { ID: 3, Command: 'put', ActionID: 'AAEC', ObjectID: 'AwQ=', BodySize: 5 });
  assert.deepEqual(parseGoProgRequest('{"ID":4,"Command":"put","ActionID":"AAEC","OutputID":"AwQ="}'), { ID: 4, Command: 'put', ActionID: 'AAEC', OutputID: 'AwQ=' });
  assert.equal(parseGoProgRequest('{"ID":"1","Command":"get"}'), undefined);
  assert.equal(parseGoProgRequest('{"ID":1,"Command":"drop"}'), undefined);
  assert.equal(parseGoProgRequest('{"ID":1,"Command":"get","ActionID":"not base64!"}'), undefined);
  assert.equal(parseGoProgRequest('nope'), undefined);
});
