import { dirname, join } from 'node:path';
import type { KeyEntry } from '../keying/key-builder.js';
import type { ManifestEntry } from '../pipeline/manifest.js';
import { diffArgs } from './diff-args.js';
import type { CompileRecord, WhyChange } from './types.js';

export interface CompileDiff {
  changes: WhyChange[];
  /** False when either compile's input set is unknown. */
  headersCompared: boolean;
}

/** The files one compile read and the paths it probed (its manifest entry). */
export type InputSet = Pick<ManifestEntry, 'inputs' | 'absent' | 'present'>;

/**
 * What differs between two compiles of one file: the direct key's inputs in transcript
 * order (arguments paired up, then every other tagged input), then the files read and the
 * paths probed, when both input sets are known.
 */
export function diffCompiles(before: CompileRecord, after: CompileRecord, beforeSet: InputSet | undefined, afterSet: InputSet | undefined): CompileDiff {
  const changes = diffTranscripts(before.transcript, after.transcript);
  if (!beforeSet || !afterSet) return { changes, headersCompared: false };
  changes.push(...diffHeaders(beforeSet, afterSet));
  return { changes, headersCompared: true };
}

const ARG_TAGS: Record<string, boolean> = { arg: false, 'terminal-arg': true };

function diffTranscripts(before: readonly KeyEntry[], after: readonly KeyEntry[]): WhyChange[] {
  const valuesOf = (t: readonly KeyEntry[], tag: string): string[] => t.filter((e) => e.tag === tag).map((e) => e.value);
  const tags = [...new Set([...before, ...after].map((e) => e.tag))];
  const changes: WhyChange[] = [];
  for (const tag of tags) {
    const b = valuesOf(before, tag);
    const a = valuesOf(after, tag);
    const terminal = ARG_TAGS[tag];
    if (terminal !== undefined) {
      for (const d of diffArgs(b, a)) {
        if (d.from !== undefined && d.to !== undefined) changes.push({ kind: 'argument-changed', from: d.from, to: d.to, terminal });
        else if (d.from !== undefined) changes.push({ kind: 'argument-removed', value: d.from, terminal });
        else if (d.to !== undefined) changes.push({ kind: 'argument-added', value: d.to, terminal });
      }
      continue;
    }
    // Other tags are single (env:NAME, source) or a set (extra-input): drop the values both have, pair the rest.
    const gone = without(b, a);
    const come = without(a, b);
    for (let k = 0; k < Math.max(gone.length, come.length); k++) {
      changes.push({ kind: 'key-input-changed', tag, from: gone[k] ?? null, to: come[k] ?? null });
    }
  }
  return changes;
}

/** `xs` minus one occurrence of each value in `ys`. */
function without(xs: readonly string[], ys: readonly string[]): string[] {
  const left = [...ys];
  return xs.filter((x) => {
    const k = left.indexOf(x);
    if (k < 0) return true;
    left.splice(k, 1);
    return false;
  });
}

/** What differs between the files two compiles read and the paths they probed. */
export function diffHeaders(before: InputSet, after: InputSet): WhyChange[] {
  // The first input is the source, which the key's `source` entry already covers.
  const was = new Map(before.inputs.slice(1).map((i) => [i.path, i.digest]));
  const now = after.inputs.slice(1);
  const nowPaths = new Set(now.map((i) => i.path));
  const wasAbsent = absentPaths(before);
  const isAbsent = absentPaths(after);
  const changes: WhyChange[] = [];
  for (const { path, digest } of now) {
    const old = was.get(path);
    if (old === undefined) changes.push({ kind: absentOrBelow(wasAbsent, path) ? 'header-appeared' : 'header-added', path, digest });
    else if (old !== digest) changes.push({ kind: 'header-changed', path, from: old, to: digest });
  }
  for (const [path, digest] of was) if (!nowPaths.has(path)) changes.push({ kind: 'header-removed', path, digest });
  for (const path of after.present) if (absentOrBelow(wasAbsent, path) && !nowPaths.has(path)) changes.push({ kind: 'probe-changed', path, exists: true });
  for (const path of before.present) if (absentOrBelow(isAbsent, path) && !was.has(path)) changes.push({ kind: 'probe-changed', path, exists: false });
  return changes;
}

/** Whether `path`, or a directory above it (a missing directory stands for the names below it), had to stay absent. */
function absentOrBelow(absent: ReadonlySet<string>, path: string): boolean {
  for (let p = path; ; p = dirname(p)) {
    if (absent.has(p)) return true;
    if (dirname(p) === p) return false;
  }
}

function absentPaths(s: InputSet): Set<string> {
  return new Set(s.absent.flatMap((g) => g.names.map((n) => join(g.dir, n))));
}
