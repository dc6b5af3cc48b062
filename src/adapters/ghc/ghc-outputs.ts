import { basename, dirname, extname, join } from 'node:path';
import type { GhcJob, GhcOutput } from './types.js';

/**
 * The files `ghc -c` writes for this module, as ghc 9.0 names them: -o and -ohi as given;
 * under -odir and -hidir by the module's name (A.B → A/B.o); otherwise beside the source,
 * by its own name. -dynamic-too adds the dynamic pair (the object beside the object, the
 * interface beside the interface); a boot source's names end in `-boot`, and its object is
 * an empty file ghc touches (with -dynamic-too, ghc 9.0 also touches the dynamic object
 * under the module's own name, without `-boot`); a module with
 * foreign exports writes `<name>_stub.h` under -stubdir or beside the source.
 */
export function ghcOutputs(job: GhcJob, moduleName: string, stub: boolean): GhcOutput[] {
  const l = job.layout;
  const modPath = moduleName.split('.').join('/');
  const srcBase = job.source.slice(0, job.source.length - extname(job.source).length);
  const boot = job.boot ? '-boot' : '';
  const obj = l.obj ?? (l.odir !== undefined ? join(l.odir, `${modPath}.${l.osuf}`) : `${srcBase}.${l.osuf}`) + boot;
  const hi = l.hi ?? (l.hidir !== undefined ? join(l.hidir, `${modPath}.${l.hisuf}`) : `${srcBase}.${l.hisuf}`) + boot;
  const out: GhcOutput[] = [{ role: 'obj', path: obj }, { role: 'hi', path: hi }];
  if (l.dynamicToo) {
    out.push({ role: 'dyn-obj', path: l.dynObj ?? `${withoutExt(l.obj ?? obj.slice(0, obj.length - boot.length))}.${l.dynosuf}` });
    out.push({ role: 'dyn-hi', path: `${withoutExt(hi.slice(0, hi.length - boot.length))}.${l.dynhisuf}${boot}` });
  }
  if (stub && !job.boot) out.push({ role: 'stub', path: l.stubdir !== undefined ? join(l.stubdir, `${modPath}_stub.h`) : join(dirname(job.source), `${basename(srcBase)}_stub.h`) });
  return out;
}

function withoutExt(p: string): string {
  const e = extname(p);
  return e ? p.slice(0, p.length - e.length) : p;
}

/**
 * Each output role's place in the order the daemon writes a module's outputs in (hits and
 * fills): `ghc --make` takes a module for current by its `.hi` and `.o` alone (not
 * the dynamic ones), so those go last and the `.hi` after everything. A daemon killed between
 * two writes then leaves the old `.hi` (or none), and `ghc --make` compiles the module again.
 */
const WRITE_RANK: Readonly<Record<GhcOutput['role'], number>> = { 'dyn-obj': 0, 'dyn-hi': 1, stub: 2, obj: 3, hi: 4 };

/** The indexes of `outputs` in the order they are written (WRITE_RANK). */
export function writeOrder(outputs: ReadonlyArray<Pick<GhcOutput, 'role'>>): number[] {
  return outputs.map((_, i) => i).sort((a, b) => WRITE_RANK[outputs[a]!.role] - WRITE_RANK[outputs[b]!.role] || a - b);
}

/** Outputs ghc writes empty on purpose: a boot module's objects are only timestamps. */
export function emptyByDesign(job: GhcJob, o: GhcOutput): boolean {
  return job.boot && (o.role === 'obj' || o.role === 'dyn-obj');
}
