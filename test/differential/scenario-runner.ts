// Scripted differential scenarios: a small tree edited step by step; after each edit one
// compile runs bare, then through reprise twice (a fill, then normally a hit), each on the
// same tree with its outputs removed first. Exit code, stdout, stderr and every output file
// must be the bare compiler's bytes. Where the random fuzzers (test/fuzz/) draw edits, these
// replay the stale-output cases a reviewer would try by hand (docs/trust-model.md).
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { run, type RunResult } from '../helpers/run.js';
import { stats } from '../helpers/reprise-cli.js';
import type { Workspace } from '../helpers/workspace.js';

/** One compile: the tool (found on PATH), its arguments, variables to set (undefined: unset; a function: of the run's own value, as PATH, which differs between the bare and the reprise run), the directory (relative to the scenario's root). */
export interface Call {
  tool: string;
  args: string[];
  env?: Record<string, string | undefined | ((base: string | undefined) => string)>;
  cwd?: string;
  /** $PWD as a shell would set it; the spelled cwd by default. */
  pwd?: string;
  /** Files the compile writes (relative to cwd), compared byte for byte. */
  outputs: string[];
}

export interface Step {
  note: string;
  edit?: (t: Tree) => void;
  call: (t: Tree) => Call;
}

export interface Scenario {
  name: string;
  setup: (t: Tree) => void;
  steps: Step[];
}

/** The scenario's files, with the edits the steps make. */
export interface Tree {
  /** The root as spelled (below the workspace's symlinked dir); it changes when the tree moves. */
  root: string;
  at(rel: string): string;
  write(rel: string, text: string | Buffer, mtimeSec?: number): void;
  rm(rel: string): void;
  mkdir(rel: string): void;
  ln(target: string, rel: string): void;
  hardlink(from: string, rel: string): void;
  touch(rel: string, mtimeSec: number): void;
  /** Moves the whole tree to a sibling directory. */
  move(name: string): void;
}

function createTree(base: string, name: string): Tree {
  const t: Tree = {
    root: join(base, name),
    at: (rel) => join(t.root, rel),
    write(rel, text, mtimeSec) {
      mkdirSync(dirname(t.at(rel)), { recursive: true });
      rmSync(t.at(rel), { recursive: true, force: true });
      writeFileSync(t.at(rel), text);
      if (mtimeSec !== undefined) utimesSync(t.at(rel), mtimeSec, mtimeSec);
    },
    rm: (rel) => rmSync(t.at(rel), { recursive: true, force: true }),
    mkdir: (rel) => mkdirSync(t.at(rel), { recursive: true }),
    ln(target, rel) {
      mkdirSync(dirname(t.at(rel)), { recursive: true });
      rmSync(t.at(rel), { recursive: true, force: true });
      symlinkSync(target, t.at(rel));
    },
    hardlink(from, rel) {
      rmSync(t.at(rel), { recursive: true, force: true });
      linkSync(t.at(from), t.at(rel));
    },
    touch: (rel, mtimeSec) => utimesSync(t.at(rel), mtimeSec, mtimeSec),
    move(to) {
      const next = join(base, to);
      renameSync(t.root, next);
      t.root = next;
    },
  };
  mkdirSync(t.root, { recursive: true });
  return t;
}

/** Runs every scenario; returns one line per difference from the bare compiler (empty when there is none). */
export async function runScenarios(ws: Workspace, scenarios: Scenario[], onStep?: (what: string) => void, afterScenario?: (name: string) => Promise<void>): Promise<string[]> {
  const diffs: string[] = [];
  for (const s of scenarios) {
    const t = createTree(ws.dir, s.name);
    s.setup(t);
    for (const [i, step] of s.steps.entries()) {
      step.edit?.(t);
      // Inputs written less than 10 ms before a compile count as changed during it (not stored).
      const until = Date.now() + 20;
      while (Date.now() < until);
      const c = step.call(t);
      const where = `${s.name} step ${i} (${step.note}): ${c.tool} ${c.args.join(' ')}`;
      onStep?.(where);
      const cwd = join(t.root, c.cwd ?? '.');
      const spawnEnv = (base: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
        const env: NodeJS.ProcessEnv = { ...base, PWD: c.pwd ?? cwd };
        for (const [k, v] of Object.entries(c.env ?? {})) if (v === undefined) delete env[k];
        else env[k] = typeof v === 'function' ? v(base[k]) : v;
        return env;
      };
      const outs = (): Array<Buffer | undefined> => c.outputs.map((o) => (existsSync(join(cwd, o)) ? readFileSync(join(cwd, o)) : undefined));
      const clear = (): void => c.outputs.forEach((o) => rmSync(join(cwd, o), { force: true }));
      clear();
      const bare = await run(c.tool, c.args, { cwd, env: spawnEnv(ws.bareEnv) });
      const want = outs();
      for (const pass of ['fill', 'again']) {
        clear();
        const got = await run(c.tool, c.args, { cwd, env: spawnEnv(ws.env) });
        const d = differs(bare, got, c.outputs, want, outs());
        if (d) diffs.push(`${where} [${pass}]: ${d}`);
      }
    }
    await afterScenario?.(s.name);
  }
  return diffs;
}

function differs(bare: RunResult, got: RunResult, outputs: string[], want: Array<Buffer | undefined>, have: Array<Buffer | undefined>): string | undefined {
  if (bare.code !== got.code) return `exit ${got.code}, bare ${bare.code}\n${got.stderr}\n--- bare:\n${bare.stderr}`;
  if (!bare.stderr.equals(got.stderr)) return `stderr differs:\n${got.stderr}\n--- bare:\n${bare.stderr}`;
  if (!bare.stdout.equals(got.stdout)) return `stdout differs:\n${got.stdout}\n--- bare:\n${bare.stdout}`;
  for (const [i, o] of outputs.entries()) {
    const g = have[i];
    const w = want[i];
    if (g === undefined && w === undefined) continue;
    if (g === undefined || w === undefined) return `${o}: ${g ? 'written' : 'missing'}, bare ${w ? 'wrote it' : 'did not'}`;
    if (!g.equals(w)) return `${o} differs from bare's`;
  }
  return undefined;
}

/** REPRISE_SCENARIO_VERBOSE=1: each step as it runs, and each scenario's counters (hits, misses, reasons). */
export function verbose(env: NodeJS.ProcessEnv): [(what: string) => void, (name: string) => Promise<void>] {
  let last = new Map<string, number>();
  return [
    (w) => console.error(`# ${w}`),
    async (name) => {
      const s = await stats(env);
      const now = new Map<string, number>();
      for (const [tool, t] of Object.entries(s.tools)) for (const [k, v] of Object.entries(t)) if (['direct-hit', 'miss', 'uncacheable', 'tool-failed'].includes(k)) now.set(`${tool}.${k}`, v ?? 0);
      for (const [k, v] of Object.entries(s.uncacheableReasons)) now.set(k, v ?? 0);
      const delta = [...now].filter(([k, v]) => v !== (last.get(k) ?? 0)).map(([k, v]) => `${k} +${v - (last.get(k) ?? 0)}`);
      console.error(`# == ${name}: ${delta.join(', ')}`);
      last = now;
    },
  ];
}
