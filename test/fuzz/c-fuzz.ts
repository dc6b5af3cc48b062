// The differential fuzzer for C (issue 15): a small project with headers in several -I,
// -iquote and symlinked directories, __has_include, #include_next, computed includes and
// -include, edited at random step by step; after each step a unit is compiled through
// reprise and with bare gcc, and objects, depfiles, stderr and exit codes must be the same
// bytes. A difference stops the run with its seed and a replay script.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { run, type RunResult } from '../helpers/run.js';
import type { Workspace } from '../helpers/workspace.js';
import { createRandom, type Random } from './random.js';
import { createFuzzFiles } from './fuzz-files.js';
import { createReplayLog, sh } from './replay-log.js';

export interface FuzzResult {
  steps: number;
  compiles: number;
  /** Set when reprise and the bare compiler differed: what, where, and a script that replays the run. */
  failure?: { step: number; what: string; script: string };
}

const DIRS = ['inc0', 'inc1', 'inc2', 'q', 'src', 'gen', 'inc1/sub', 'inc2/sub'] as const;
const NAMES = ['a.h', 'b.h', 'opt.h', 'sub/c.h'] as const;
const MACROS = ['VA', 'VB', 'VOPT', 'VC'] as const;
const SOURCES = ['src/s0.c', 'src/s1.c'] as const;

/** Where each edit class is drawn, by weight (docs/trust-model.md, "The differential fuzzer"). */
const EDITS = {
  'write-header': 8,
  'delete-header': 4,
  'rename-header': 3,
  'same-size-same-mtime': 3,
  'retarget-symlink': 2,
  'add-remove-dir': 2,
  'flags': 3,
  'env': 1,
  'rewrite-source': 4,
  'generated-header': 2,
  'touch': 1,
  'none': 3,
} as const;
type Edit = keyof typeof EDITS;

interface State {
  mode: number;
  order: string[];
  iquote: boolean;
  preinclude: boolean;
  cpath: boolean;
  depfile: boolean;
}

/** Runs `steps` steps from `seed` in `ws.dir`/c-fuzz; stops at the first difference. */
export async function runCFuzz(ws: Workspace, opts: { steps: number; seed: number; onStep?: (n: number) => void }): Promise<FuzzResult> {
  const rnd = createRandom(opts.seed);
  const root = join(ws.dir, `c-fuzz-${opts.seed}`);
  const log = createReplayLog();
  const { at, write, remove } = createFuzzFiles(root, log);
  const st: State = { mode: 0, order: ['inc1', 'inc2', 'lnk'], iquote: true, preinclude: false, cpath: false, depfile: true };
  let compiles = 0;

  const link = (target: string): void => {
    try {
      unlinkSync(at('lnk'));
    } catch {
      // none yet
    }
    symlinkSync(target, at('lnk'));
    log.add(`rm -f lnk && ln -s ${sh(target)} lnk`);
  };

  mkdirSync(root, { recursive: true });
  log.step(0);
  log.add(`mkdir -p ${sh(root)} && cd ${sh(root)}`);
  for (const d of ['inc1', 'inc2', 'q', 'src', 'gen', 'out']) mkdirSync(at(d), { recursive: true });
  log.add('mkdir -p inc1 inc2 q src gen out');
  link('inc2');
  write('inc1/a.h', header(rnd, 'a.h', 'inc1'));
  write('inc2/b.h', header(rnd, 'b.h', 'inc2'));
  write('gen/pre.h', '#define PRE 1\n');
  for (const s of SOURCES) write(s, source(rnd));

  for (let step = 1; step <= opts.steps; step++) {
    opts.onStep?.(step);
    log.step(step);
    const edit = rnd.weighted<Edit>(EDITS);
    applyEdit(edit);
    const unit = rnd.pick(SOURCES);
    const diff = await compileBoth(unit);
    compiles++;
    if (diff) return { steps: step, compiles, failure: { step, what: `${edit}, then ${unit}: ${diff}`, script: log.script(`seed ${opts.seed}, step ${step}: ${diff}`) } };
  }
  return { steps: opts.steps, compiles };

  function applyEdit(edit: Edit): void {
    switch (edit) {
      case 'write-header': {
        const dir = rnd.pick(['inc0', 'inc1', 'inc2', 'q', 'src', 'gen'] as const);
        const name = rnd.pick(NAMES);
        write(`${dir}/${name}`, header(rnd, name, dir));
        return;
      }
      case 'delete-header': {
        const p = `${rnd.pick(DIRS)}/${rnd.pick(NAMES)}`;
        if (existsSync(at(p))) remove(p);
        return;
      }
      case 'rename-header': {
        const from = `${rnd.pick(DIRS)}/${rnd.pick(NAMES)}`;
        const to = `${rnd.pick(['inc0', 'inc1', 'inc2', 'q', 'src'] as const)}/${rnd.pick(NAMES)}`;
        if (!existsSync(at(from)) || from === to) return;
        mkdirSync(dirname(at(to)), { recursive: true });
        renameSync(at(from), at(to));
        log.add(`mkdir -p ${sh(dirname(to))} && mv ${sh(from)} ${sh(to)}`);
        return;
      }
      case 'same-size-same-mtime': {
        // A digit changed in place, the size and mtime kept: only the content (and ctime) says so.
        const p = `${rnd.pick(DIRS)}/${rnd.pick(NAMES)}`;
        if (!existsSync(at(p))) return;
        const before = statSync(at(p));
        const text = readFileSync(at(p), 'utf8');
        const m = /\d(?=\s*$)/m.exec(text);
        if (!m) return;
        const next = text.slice(0, m.index) + String((Number(m[0]) + 1) % 10) + text.slice(m.index + 1);
        writeFileSync(at(p), next);
        utimesSync(at(p), before.atime, before.mtime);
        log.add(`printf '%s' ${sh(next)} > ${sh(p)} && touch -d @${before.mtimeMs / 1000} ${sh(p)}`);
        return;
      }
      case 'retarget-symlink':
        link(rnd.pick(['inc1', 'inc2', 'q', 'inc1', 'inc2', 'q', 'missing']));
        return;
      case 'add-remove-dir': {
        const d = rnd.pick(['inc0', 'inc1/sub', 'inc2/sub', 'q'] as const);
        if (existsSync(at(d))) remove(d);
        else {
          mkdirSync(at(d), { recursive: true });
          log.add(`mkdir -p ${sh(d)}`);
        }
        return;
      }
      case 'flags': {
        const which = rnd.int(5);
        if (which === 0) st.mode = rnd.int(3);
        else if (which === 1) st.order = [...st.order].sort(() => (rnd.chance(0.5) ? 1 : -1));
        else if (which === 2) st.iquote = !st.iquote;
        else if (which === 3) st.preinclude = !st.preinclude;
        else st.depfile = !st.depfile;
        log.add(`# flags: ${JSON.stringify(st)}`);
        return;
      }
      case 'env':
        st.cpath = !st.cpath;
        log.add(`# CPATH ${st.cpath ? 'set' : 'unset'}`);
        return;
      case 'rewrite-source':
        write(rnd.pick(SOURCES), source(rnd));
        return;
      case 'generated-header':
        // Written just before the compile, as a build's code generator would.
        write(rnd.pick(['gen/pre.h', 'gen/a.h', 'src/opt.h'] as const), `#define PRE ${rnd.int(10)}\n#define VOPT ${rnd.int(10)}\n`);
        return;
      case 'touch': {
        const p = `${rnd.pick(DIRS)}/${rnd.pick(NAMES)}`;
        if (!existsSync(at(p))) return;
        const now = new Date();
        utimesSync(at(p), now, now);
        log.add(`touch ${sh(p)}`);
        return;
      }
      case 'none':
        return;
    }
  }

  async function compileBoth(unit: string): Promise<string | undefined> {
    const stem = unit.replace(/^src\//, 'out/').replace(/\.c$/, '');
    const args = [
      ...(st.iquote ? ['-iquote', 'q'] : []),
      ...st.order.flatMap((d) => [`-I${d}`]),
      ...(existsSync(at('inc0')) || rnd.chance(0.5) ? ['-Iinc0'] : []),
      ...(st.preinclude ? ['-include', 'gen/pre.h'] : []),
      `-DMODE=${st.mode}`,
      '-c', unit, '-o', `${stem}.o`,
      ...(st.depfile ? ['-MD', '-MF', `${stem}.d`] : []),
    ];
    const extra = st.cpath ? { CPATH: at('gen') } : {};
    const outputs = [`${stem}.o`, ...(st.depfile ? [`${stem}.d`] : [])];
    const clear = (): void => outputs.forEach((o) => rmSync(at(o), { force: true }));
    clear();
    const bare = await run('gcc', args, { cwd: root, env: { ...ws.bareEnv, ...extra } });
    const want = outputs.map((o) => (existsSync(at(o)) ? readFileSync(at(o)) : undefined));
    clear();
    const got = await run('gcc', args, { cwd: root, env: { ...ws.env, ...extra } });
    log.add(`${st.cpath ? `CPATH=${sh(at('gen'))} ` : ''}gcc ${args.map(sh).join(' ')}   # through reprise, then compared with bare gcc`);
    return differs(bare, got, outputs, want, (o) => (existsSync(at(o)) ? readFileSync(at(o)) : undefined));
  }
}

function differs(bare: RunResult, got: RunResult, outputs: string[], want: Array<Buffer | undefined>, read: (o: string) => Buffer | undefined): string | undefined {
  if (bare.code !== got.code) return `exit ${got.code}, bare gcc exit ${bare.code}\n${got.stderr}\n--- bare:\n${bare.stderr}`;
  if (!bare.stderr.equals(got.stderr)) return `stderr differs:\n${got.stderr}\n--- bare:\n${bare.stderr}`;
  for (let i = 0; i < outputs.length; i++) {
    const g = read(outputs[i]!);
    const w = want[i];
    if ((g === undefined) !== (w === undefined) || (g && w && !g.equals(w))) return `${outputs[i]} differs from bare gcc's`;
  }
  return undefined;
}

/** A header: a guard, a value, and sometimes an include of another header or the next one of its name. */
function header(rnd: Random, name: string, dir: string): string {
  const macro = MACROS[NAMES.indexOf(name as (typeof NAMES)[number])] ?? 'VX';
  const guard = `G_${dir.replace(/\W/g, '_')}_${name.replace(/\W/g, '_')}`;
  const lines = [`#ifndef ${guard}`, `#define ${guard}`];
  if (rnd.chance(0.25) && dir !== 'src' && dir !== 'q') lines.push(`#include_next <${name}>`);
  if (rnd.chance(0.2)) lines.push(`#include "${rnd.pick(NAMES)}"`);
  if (rnd.chance(0.2)) lines.push(`#if __has_include(<${rnd.pick(NAMES)}>)`, `#define HAS_${macro} 1`, '#endif');
  lines.push(`#undef ${macro}`, `#define ${macro} ${rnd.int(10)}`, '#endif', '');
  return lines.join('\n');
}

/** A unit made of a random choice of include forms, each guarded so that the unit compiles whichever headers exist. */
function source(rnd: Random): string {
  const parts: string[] = [];
  const forms = [
    () => '#if __has_include("a.h")\n#include "a.h"\n#endif',
    () => '#if __has_include(<b.h>)\n#include <b.h>\n#endif',
    () => '#if __has_include(<sub/c.h>)\n#include <sub/c.h>\n#define HAVE_C 1\n#endif',
    () => '#if __has_include("opt.h")\n#include "opt.h"\n#else\n#define NO_OPT 1\n#endif',
    () => '#define HDR "b.h"\n#if __has_include(<b.h>)\n#include HDR\n#endif',
    () => '#if MODE == 1 && __has_include(<a.h>)\n#include <a.h>\n#endif',
    () => '#if MODE == 2\n#include "b.h"\n#endif',
  ];
  const n = 1 + rnd.int(4);
  for (let i = 0; i < n; i++) parts.push(rnd.pick(forms)());
  for (const m of [...MACROS, 'PRE']) parts.push(`#ifndef ${m}\n#define ${m} 0\n#endif`);
  parts.push(`int f${rnd.int(1000)}(void) { return VA + 10 * VB + 100 * VOPT + 1000 * VC + 10000 * PRE; }`);
  return `${parts.join('\n')}\n`;
}
