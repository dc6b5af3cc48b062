import { resolve } from 'node:path';
import { isRecord, parseJsonObject } from '../../json/parse-json-object.js';
import type { DepTarget } from '../../pipeline/types.js';
import { splitMakeWords } from './parse-depfile.js';
import { quoteForMake } from './parse-gcc-args.js';

/** Whose writer produced a depfile: they wrap lines and order targets differently. */
export type DepfileFormat = 'gcc' | 'clang';

/** A path under a root that entered the key relative to $PWD: `pwd` is the root's spelling from $PWD, `rest` follows it verbatim. */
export interface RebasedDep {
  pwd: string;
  rest: string;
}

/**
 * A depfile that can be written for another directory: the caller's targets, and the
 * prerequisites as the compiler spelled them, those under a rebased root re-rooted at the
 * caller's $PWD. Stored as JSON in place of the depfile's bytes.
 */
export interface DepfileTemplate {
  schema: 1;
  format: DepfileFormat;
  deps: Array<string | RebasedDep>;
  /** -MP: a rule per prerequisite but the first. */
  phony: boolean;
}

/**
 * The template for a depfile the compiler wrote, or undefined when re-rendering it with
 * the same targets does not give back exactly its bytes (an unknown writer or layout).
 * `rebase` says which prerequisites hang from a rebased root.
 */
export function makeDepfileTemplate(text: string, targets: readonly DepTarget[], rebase: (dep: string) => RebasedDep | undefined): DepfileTemplate | undefined {
  const rule = readFirstRule(text);
  if (!rule) return undefined;
  const format = (['gcc', 'clang'] as const).find((f) => renderDepfile(f, targets, rule.deps, rule.more) === text);
  if (!format) return undefined;
  return { schema: 1, format, deps: rule.deps.map((d) => rebase(d) ?? d), phony: rule.more };
}

/** The depfile this template stands for, written from `pwd` for `targets` (the caller's). */
export function renderDepfileTemplate(t: DepfileTemplate, targets: readonly DepTarget[], pwd: string): string {
  const deps = t.deps.map((d) => (typeof d === 'string' ? d : `${resolve(pwd, d.pwd)}${d.rest}`));
  return renderDepfile(t.format, targets, deps, t.phony);
}

export function parseDepfileTemplate(text: string): DepfileTemplate | undefined {
  const raw = parseJsonObject(text);
  if (!raw || raw.schema !== 1 || (raw.format !== 'gcc' && raw.format !== 'clang') || typeof raw.phony !== 'boolean' || !Array.isArray(raw.deps)) return undefined;
  const deps: DepfileTemplate['deps'] = [];
  for (const d of raw.deps as unknown[]) {
    if (typeof d === 'string' && d !== '') deps.push(d);
    else if (isRecord(d) && typeof d.pwd === 'string' && typeof d.rest === 'string' && !d.pwd.startsWith('/') && (d.rest === '' || d.rest.startsWith('/'))) deps.push({ pwd: d.pwd, rest: d.rest });
    else return undefined;
  }
  return deps.length === 0 ? undefined : { schema: 1, format: raw.format, deps, phony: raw.phony };
}

/**
 * gcc 12 (libcpp mkdeps.cc): names are written make-quoted; a name that would pass column
 * 72 starts a continuation line (` \`, newline, one space). Targets given unquoted (-MT)
 * come before quoted ones (-MQ, the default). -MP adds `name:` lines.
 * clang 14 (DependencyFile.cpp): targets in argv order, wrapped at 75 columns with two
 * spaces; prerequisites wrapped by their unquoted length with a leading space; -MP rules
 * are each preceded by an empty line.
 */
export function renderDepfile(format: DepfileFormat, targets: readonly DepTarget[], deps: readonly string[], phony: boolean): string {
  return format === 'gcc' ? renderGcc(targets, deps, phony) : renderClang(targets, deps, phony);
}

function renderGcc(targets: readonly DepTarget[], deps: readonly string[], phony: boolean): string {
  const COLMAX = 72;
  let out = '';
  let col = 0;
  const write = (name: string): void => {
    if (col > 0) {
      if (col + name.length > COLMAX) {
        out += ' \\\n';
        col = 0;
      }
      col += 1;
      out += ' ';
    }
    col += name.length;
    out += name;
  };
  for (const t of gccTargetOrder(targets)) write(t.make);
  out += ':';
  col += 1;
  for (const d of deps) write(quoteForMake(d));
  out += '\n';
  if (phony) for (const d of deps.slice(1)) out += `${quoteForMake(d)}:\n`;
  return out;
}

/** gcc 12 writes the unquoted targets (-MT) first, then the quoted ones, each in argv order (measured). */
function gccTargetOrder(targets: readonly DepTarget[]): DepTarget[] {
  return [...targets.filter((t) => !t.quoted), ...targets.filter((t) => t.quoted)];
}

function renderClang(targets: readonly DepTarget[], deps: readonly string[], phony: boolean): string {
  const MAX = 75;
  let out = '';
  let col = 0;
  for (const t of targets) {
    const n = t.make.length;
    if (col === 0) col = n;
    else if (col + n + 2 > MAX) {
      col = n + 2;
      out += ' \\\n  ';
    } else {
      col += n + 1;
      out += ' ';
    }
    out += t.make;
  }
  out += ':';
  col += 1;
  for (const d of deps) {
    if (col + d.length + 1 + 2 > MAX) {
      out += ' \\\n ';
      col = 2;
    }
    out += ` ${clangQuote(d)}`;
    col += d.length + 1;
  }
  out += '\n';
  if (phony) for (const d of deps.slice(1)) out += `\n${clangQuote(d)}:\n`;
  return out;
}

/** clang's make quoting: `#` and space get a backslash (spaces double the backslashes before them), `$` doubles. */
function clangQuote(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === '#') out += '\\';
    else if (c === ' ') {
      out += '\\';
      for (let j = i - 1; j >= 0 && name[j] === '\\'; j--) out += '\\';
    } else if (c === '$') out += '$';
    out += c;
  }
  return out;
}

/** The prerequisites of the first rule in order (duplicates kept), and whether other rules follow. */
function readFirstRule(text: string): { deps: string[]; more: boolean } | undefined {
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  const words = splitMakeWords(lines[0] ?? '');
  const colon = words.findIndex((w) => w.endsWith(':') && !w.endsWith('\\:'));
  if (colon < 0) return undefined;
  const deps = words.slice(colon + 1);
  if (deps.length === 0) return undefined;
  return { deps, more: lines.slice(1).some((l) => l.trim() !== '') };
}
