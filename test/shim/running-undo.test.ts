// RUNNING frames (docs/protocol.md, "No half-written outputs"): when the daemon goes away while
// a process it runs for the call outside the sandbox writes files in place, the real shim kills
// that group and deletes those files before it runs the tool itself. The daemon here is scripted
// on the real socket: the moment a daemon dies between two of a module's writes cannot be had
// on demand from the real one (test/ghc/make-kill.test.ts does the whole path with ghc).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import test from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeFrame } from '../../src/protocol/codec.js';
import { FrameReader } from '../../src/protocol/frame-reader.js';
import { ClientCapability, FrameKind, MAX_FRAME_PAYLOAD, RuntimeFile, type Frame } from '../../src/protocol/frames.js';
import { run } from '../helpers/run.js';
import { createWorkspace } from '../helpers/workspace.js';

const ws = createWorkspace();
const fakeDir = join(ws.realDir, 'fake-bin');
mkdirSync(fakeDir);
// The "compiler": what it is does not matter, only that the shim runs it after the undo.
writeFileSync(join(fakeDir, 'cc'), '#!/bin/sh\necho "bare $*"\n[ -e half.o ] && echo "half.o was still there"\nexit 0\n');
chmodSync(join(fakeDir, 'cc'), 0o755);
const env = { ...ws.env, PATH: ws.env.PATH!.replace(':', `:${fakeDir}:`) };
mkdirSync(ws.runtimeDir, { recursive: true, mode: 0o700 });
chmodSync(ws.runtimeDir, 0o700);

let server: Server | undefined;
const groups: number[] = [];
test.after(() => {
  for (const g of groups) {
    try {
      process.kill(-g, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  server?.close();
  ws.cleanup();
});

/** A daemon that answers one CALL with `script`'s frames (given a running group and a file), then drops the connection. */
async function scriptedDaemon(script: (pgid: number, file: string) => Frame[]): Promise<{ caps: Promise<number> }> {
  server?.close();
  let gotCaps!: (n: number) => void;
  const caps = new Promise<number>((r) => (gotCaps = r));
  server = createServer((socket: Socket) => {
    const reader = new FrameReader();
    socket.on('data', (chunk) => {
      for (const f of reader.push(chunk)) {
        if (f.kind === FrameKind.HELLO) gotCaps(f.hello.capabilities);
        if (f.kind !== FrameKind.CALL) continue;
        // A process of its own group, as the spawner makes each job, and a file it is "writing".
        const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
        groups.push(child.pid!);
        const file = join(f.call.cwd, 'half.o');
        writeFileSync(file, 'half of an object');
        socket.write(Buffer.concat([
          encodeFrame({ kind: FrameKind.WELCOME, welcome: { version: 1, capabilities: 0, maxFrame: MAX_FRAME_PAYLOAD, daemonVersion: 'scripted' } }),
          ...script(child.pid!, file).map(encodeFrame),
        ]));
        // The daemon dies: the connection ends with no EXIT.
        setTimeout(() => socket.destroy(), 100);
      }
    });
  });
  const path = join(ws.runtimeDir, RuntimeFile.SOCKET);
  await new Promise<void>((r) => server!.listen(path, r));
  return { caps };
}

const alive = (pgid: number): boolean => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

test('the daemon goes away while a RUNNING group writes: the shim kills it and deletes its files, then runs the tool', async () => {
  const cwd = join(ws.dir, 'a');
  mkdirSync(cwd);
  const daemon = await scriptedDaemon((pgid, file) => [{ kind: FrameKind.RUNNING, pgid, writes: [file, join(cwd, 'never-written.dyn_o')] }]);
  const r = await run('cc', ['-c', 'a.c'], { cwd, env });
  assert.equal((await daemon.caps) & ClientCapability.RUNNING, ClientCapability.RUNNING, 'the shim says it acts on RUNNING');
  assert.equal(r.code, 0, r.stderr.toString());
  assert.equal(r.stdout.toString(), 'bare -c a.c\n', 'the tool ran after the file was gone');
  assert.equal(existsSync(join(cwd, 'half.o')), false);
  const pgid = groups.at(-1)!;
  assert.equal(alive(pgid), false, 'the group was killed before the tool ran');
});

test('a RUNNING group that ended is left alone: its files were written whole', async () => {
  const cwd = join(ws.dir, 'b');
  mkdirSync(cwd);
  await scriptedDaemon((pgid, file) => [
    { kind: FrameKind.RUNNING, pgid, writes: [file] },
    { kind: FrameKind.RUNNING, pgid, writes: [] },
  ]);
  const r = await run('cc', ['-c', 'b.c'], { cwd, env });
  assert.equal(r.code, 0, r.stderr.toString());
  assert.equal(r.stdout.toString(), 'bare -c b.c\nhalf.o was still there\n');
  await sleep(50);
  assert.equal(alive(groups.at(-1)!), true, 'a group that ended is not killed (its id may be another group\'s by then)');
});

test('a RUNNING frame that names no group the shim may kill, or a relative path, is a bad frame: the shim falls back and deletes nothing', async () => {
  for (const [i, bad] of [
    (_pgid: number, file: string): Frame[] => [{ kind: FrameKind.RUNNING, pgid: 1, writes: [file] }],
    (pgid: number): Frame[] => [{ kind: FrameKind.RUNNING, pgid, writes: ['half.o'] }],
  ].entries()) {
    const cwd = join(ws.dir, `bad-${i}`);
    mkdirSync(cwd);
    await scriptedDaemon(bad);
    const r = await run('cc', ['-c', 'c.c'], { cwd, env });
    assert.equal(r.code, 0, r.stderr.toString());
    assert.equal(r.stdout.toString(), 'bare -c c.c\nhalf.o was still there\n');
    assert.equal(alive(groups.at(-1)!), true);
  }
});
