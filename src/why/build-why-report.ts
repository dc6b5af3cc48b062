import { diffCompiles, type InputSet } from './diff-compiles.js';
import { resolveAbsent } from '../pipeline/manifest.js';
import { storedResolver } from '../pipeline/stored-path.js';
import type { CompileRecord, WhyDocument, WhyReport, WhyVerdict } from './types.js';

/** Finds the input set of a stored result: the manifest entry of (direct key, result key), if still cached. */
export type InputSetLookup = (directKey: string, resultKey: string) => Promise<InputSet | undefined>;

/** The report `reprise why` prints, from a file's document (or the lack of one). */
export async function buildWhyReport(file: string, doc: WhyDocument | undefined | 'corrupt', lookup: InputSetLookup): Promise<WhyReport> {
  const report = (verdict: WhyVerdict, rest: Partial<WhyReport> = {}): WhyReport => ({ schema: 1, file, verdict, compiles: [], headersCompared: false, changes: [], ...rest });
  if (doc === undefined) return report('no-record');
  if (doc === 'corrupt') return report('corrupt-record');
  const compiles = doc.compiles.map(({ at, outcome, tool, reason, directKey, resultKey }) => ({
    at, outcome, tool, ...(reason !== undefined ? { reason } : {}), directKey, ...(resultKey !== undefined ? { resultKey } : {}),
  }));
  const [before, after] = doc.compiles;
  if (!before || !after) return report('one-compile', { compiles });
  const setOf = async (r: CompileRecord): Promise<InputSet | undefined> => {
    const set = r.resultKey === undefined ? undefined : await lookup(r.directKey, r.resultKey);
    return set && r.dirs ? resolveInputSet(set, storedResolver(r.dirs)) : set;
  };
  const { changes, headersCompared } = diffCompiles(before, after, await setOf(before), await setOf(after));
  return report(changes.length === 0 ? 'nothing-changed' : 'changed', { compiles, headersCompared, changes });
}

/** Stored paths ($PWD/x, $CWD/../x) as the absolute paths they named for that compile, so they print as paths. */
function resolveInputSet(set: InputSet, at: (stored: string) => string): InputSet {
  return {
    inputs: set.inputs.map((i) => ({ path: at(i.path), digest: i.digest })),
    absent: resolveAbsent(set.absent, at),
    present: set.present.map(at),
  };
}
