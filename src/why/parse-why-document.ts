import { isDigestHex } from '../hashing/create-hasher.js';
import { isRecord, parseJsonObject } from '../json/parse-json-object.js';
import type { CompileOutcome, CompileRecord, WhyDocument } from './types.js';

const OUTCOMES: readonly CompileOutcome[] = ['hit', 'miss', 'not-stored'];

/** Compiles kept per output file: `why` compares the last two. */
export const MAX_RECORDS = 2;

/** A whole, well-formed why document, or undefined (the store deletes it and counts it corrupt). */
export function parseWhyDocument(text: string): WhyDocument | undefined {
  const raw = parseJsonObject(text);
  if (!raw || raw.schema !== 1 || !isAbsolute(raw.output) || !Array.isArray(raw.compiles)) return undefined;
  if (raw.compiles.length === 0 || raw.compiles.length > MAX_RECORDS) return undefined;
  const compiles: CompileRecord[] = [];
  for (const c of raw.compiles as unknown[]) {
    const r = parseRecord(c);
    if (!r) return undefined;
    compiles.push(r);
  }
  return { schema: 1, output: raw.output, compiles };
}

function parseRecord(c: unknown): CompileRecord | undefined {
  if (!isRecord(c)) return undefined;
  const { at, outcome, tool, reason, directKey, transcript, resultKey, inputs, absent, present } = c;
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) return undefined;
  if (typeof outcome !== 'string' || !(OUTCOMES as readonly string[]).includes(outcome)) return undefined;
  if (typeof tool !== 'string' || typeof directKey !== 'string' || !isDigestHex(directKey)) return undefined;
  if (reason !== undefined && typeof reason !== 'string') return undefined;
  if (!Array.isArray(transcript) || !transcript.every((e) => isRecord(e) && typeof e.tag === 'string' && typeof e.value === 'string')) return undefined;
  const r: CompileRecord = {
    at, outcome: outcome as CompileOutcome, tool, directKey,
    transcript: (transcript as Array<{ tag: string; value: string }>).map((e) => ({ tag: e.tag, value: e.value })),
  };
  if (reason !== undefined) r.reason = reason;
  // A stored or replayed result has its whole input set; a compile that was not stored has none.
  const stored = outcome !== 'not-stored';
  if (!stored) return resultKey === undefined && inputs === undefined ? r : undefined;
  if (typeof resultKey !== 'string' || !isDigestHex(resultKey)) return undefined;
  if (!Array.isArray(inputs) || inputs.length === 0) return undefined;
  if (!inputs.every((i) => isRecord(i) && isAbsolute(i.path) && typeof i.digest === 'string' && isDigestHex(i.digest))) return undefined;
  if (!isPathList(absent) || !isPathList(present)) return undefined;
  r.resultKey = resultKey;
  r.inputs = (inputs as Array<{ path: string; digest: string }>).map((i) => ({ path: i.path, digest: i.digest }));
  r.absent = [...absent];
  r.present = [...present];
  return r;
}

function isAbsolute(p: unknown): p is string {
  return typeof p === 'string' && p.startsWith('/');
}

function isPathList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every(isAbsolute);
}
