// "Machines" for team-cache tests: each a workspace (its own daemon, runtime dir and local
// store) with a checkout of the small project at a path of its own.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, text } from './run.js';
import { writeSmallProject } from './small-project.js';
import { createWorkspace, type Workspace } from './workspace.js';

export const UNITS = 8;
export const OBJECTS = [...Array.from({ length: UNITS }, (_, i) => `u${i}.o`), 'main.o'];
/** No -g: debug info would name each checkout's directory, binding its entries to it. */
export const CFLAGS = 'CFLAGS=-O2 -Wall';

export interface Machine {
  ws: Workspace;
  checkout: string;
  env: NodeJS.ProcessEnv;
}

let n = 0;
/** A machine whose daemon uses `remote` (REPRISE_REMOTE), with the base dir at its checkout. */
export function machine(remote: string, extra: NodeJS.ProcessEnv = {}): Machine {
  const ws = createWorkspace('reprise-machine-');
  n += 1;
  const checkout = join(ws.dir, `checkout-${'x'.repeat(n)}`);
  writeSmallProject(checkout, UNITS);
  return { ws, checkout, env: { ...ws.env, REPRISE_REMOTE: remote, REPRISE_BASE_DIR: checkout, PWD: checkout, ...extra } };
}

export async function make(m: Machine, target: string[] = []): Promise<void> {
  const r = await run('make', ['-j2', CFLAGS, ...target], { cwd: m.checkout, env: m.env });
  assert.equal(r.code, 0, text(r));
}

export function objects(dir: string): Buffer[] {
  return OBJECTS.map((o) => readFileSync(join(dir, o)));
}

/** The small project's objects as the bare compiler writes them (they name no directory). */
export async function bareObjects(): Promise<Buffer[]> {
  const ws = createWorkspace('reprise-bare-');
  try {
    const dir = join(ws.dir, 'bare');
    writeSmallProject(dir, UNITS);
    const r = await run('make', ['-j2', CFLAGS], { cwd: dir, env: { ...ws.bareEnv, PWD: dir } });
    assert.equal(r.code, 0, text(r));
    return objects(dir);
  } finally {
    ws.cleanup();
  }
}

export function assertObjects(m: Machine, expected: Buffer[]): void {
  objects(m.checkout).forEach((o, i) => assert.ok(o.equals(expected[i]!), `${OBJECTS[i]} differs from the bare compiler's`));
}
