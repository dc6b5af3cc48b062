import type { KeyPath } from '../../pipeline/types.js';
import { gccOptionFlags, MAPS_DEBUG_PATHS, MAPS_FILE_MACRO, READS_INPUT } from './option-table.js';
import { coversPath } from './parse-gcc-args.js';
import type { GccArg, GccCompileJob } from './types.js';

const INCLUDE_DIRS = new Set(['-I', '-iquote', '-isystem', '-idirafter']);
const INCLUDE_FILES = new Set(['-include', '-imacros']);

/**
 * The paths in the key arguments (`kept`, in keyArgs order) that the pipeline may key
 * relative to $PWD under a base dir: only those whose absolute spelling cannot reach an
 * output. Debug info records the source and header paths as spelled unless a debug prefix
 * map covers them, and -frecord-gcc-switches records every word. The output path is
 * recorded for .dwo names and profile paths. Depfile paths and targets are rewritten on
 * replay, so they always qualify. Relative paths are offered too: the pipeline keeps them.
 */
export function gccKeyPaths(g: GccCompileJob, kept: readonly GccArg[]): KeyPath[] {
  if (g.recordsCommandLine) return [];
  const debugMaps: string[] = [];
  const macroMaps: string[] = [];
  for (const a of g.args) {
    const flags = gccOptionFlags(a.spelling);
    const old = mapOld(a);
    if (old === undefined) continue;
    if (flags & MAPS_DEBUG_PATHS) debugMaps.push(old.text);
    if (flags & MAPS_FILE_MACRO) macroMaps.push(old.text);
  }
  const covered = (maps: string[], p: string): boolean => maps.some((m) => coversPath(m, p));
  const outputRecorded = g.outputPathUses.some((u) => u !== 'depfile-target');

  const paths: KeyPath[] = [];
  let arg = 0;
  for (const a of kept) {
    const at = (word: number, start: number, end: number, kind: KeyPath['kind'], fileMacro = false): void => {
      paths.push({ arg: arg + word, start, end, kind, fileMacro });
    };
    const slot = a.path && { word: a.path.word, start: a.path.offset, text: a.words[a.path.word]!.slice(a.path.offset) };
    // Files found through it are read, so debug info and __FILE__ may spell it.
    const read = (kind: KeyPath['kind']): void => {
      if (!slot || (g.debugInfo && !covered(debugMaps, slot.text))) return;
      at(slot.word, slot.start, slot.start + slot.text.length, kind, !covered(macroMaps, slot.text));
    };
    if (a.role === 'source') read('source');
    else if (a.spelling !== undefined && INCLUDE_DIRS.has(a.spelling)) read('include-dir');
    else if (a.spelling !== undefined && INCLUDE_FILES.has(a.spelling)) read('include-file');
    else if (slot && a.role === 'output' && !outputRecorded) at(slot.word, slot.start, slot.start + slot.text.length, 'output');
    else if (slot && a.spelling === '-MF') at(slot.word, slot.start, slot.start + slot.text.length, 'depfile');
    else if (a.spelling === '-MT' || a.spelling === '-MQ') {
      // One target that is a path; a value with blanks names several targets and stays as given.
      const word = a.words.length - 1;
      const start = word === 0 ? a.spelling.length : 0;
      if (!/\s/.test(a.words[word]!.slice(start))) at(word, start, a.words[word]!.length, 'depfile-target');
    } else if (gccOptionFlags(a.spelling) & (MAPS_DEBUG_PATHS | MAPS_FILE_MACRO)) {
      const old = mapOld(a);
      if (old) at(0, old.start, old.start + old.text.length, 'prefix-map');
    } else if (slot && gccOptionFlags(a.spelling) & READS_INPUT) at(slot.word, slot.start, slot.start + slot.text.length, 'extra-input');
    arg += a.words.length;
  }
  return paths;
}

/** OLD in `-fdebug-prefix-map=OLD=NEW` and kin (gcc splits at the first `=`). */
function mapOld(a: GccArg): { start: number; text: string } | undefined {
  const word = a.words[0]!;
  const flags = gccOptionFlags(a.spelling);
  if (!(flags & (MAPS_DEBUG_PATHS | MAPS_FILE_MACRO)) || a.spelling === undefined) return undefined;
  const start = a.spelling.length + 1;
  const eq = word.indexOf('=', start);
  return eq < 0 ? undefined : { start, text: word.slice(start, eq) };
}
