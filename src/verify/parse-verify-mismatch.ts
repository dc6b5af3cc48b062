import { isDigestHex } from '../hashing/create-hasher.js';
import { isRecord } from '../json/parse-json-object.js';
import { VERIFY_HINTS, type VerifyDifference, type VerifyHint, type VerifyMismatch } from './types.js';

/** A line of mismatches.jsonl that is not a mismatch record; the message says which field is wrong. */
export class BadMismatchRecord extends Error {
  override readonly name = 'BadMismatchRecord';
}

const absolute = (v: unknown): v is string => typeof v === 'string' && v.startsWith('/') && !v.includes('\0');

/** Parses one line of mismatches.jsonl, or throws BadMismatchRecord saying what is wrong with it. */
export function parseVerifyMismatch(line: string): VerifyMismatch {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (e) {
    throw new BadMismatchRecord(`not JSON: ${(e as Error).message}`);
  }
  const bad = (field: string, why: string): never => {
    throw new BadMismatchRecord(`${field}: ${why}`);
  };
  if (!isRecord(raw)) return bad('record', 'expected a JSON object');
  const { schema, at, tool, file, cwd, resultKey, differs, hint, detail } = raw;
  if (schema !== 1) bad('schema', `expected 1, got ${JSON.stringify(schema)}`);
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) bad('at', 'expected an ISO 8601 time');
  if (typeof tool !== 'string' || tool === '') bad('tool', 'expected a tool name');
  if (!absolute(file)) bad('file', 'expected an absolute path');
  if (!absolute(cwd)) bad('cwd', 'expected an absolute path');
  if (typeof resultKey !== 'string' || !isDigestHex(resultKey)) bad('resultKey', 'expected a hex digest');
  if (!Array.isArray(differs) || differs.length === 0) bad('differs', 'expected a non-empty list');
  const diffs: VerifyDifference[] = (differs as unknown[]).map((d, i) => {
    if (!isRecord(d) || typeof d.what !== 'string' || d.what === '') return bad(`differs[${i}].what`, 'expected a role or stream name');
    if (d.path !== undefined && !absolute(d.path)) return bad(`differs[${i}].path`, 'expected an absolute path');
    return d.path === undefined ? { what: d.what } : { what: d.what, path: d.path };
  });
  if (typeof hint !== 'string' || !(VERIFY_HINTS as readonly string[]).includes(hint)) bad('hint', `expected one of ${VERIFY_HINTS.join(', ')}`);
  if (detail !== undefined && typeof detail !== 'string') bad('detail', 'expected a string');
  const m: VerifyMismatch = {
    schema: 1, at: at as string, tool: tool as string, file: file as string, cwd: cwd as string,
    resultKey: resultKey as string, differs: diffs, hint: hint as VerifyHint,
  };
  if (typeof detail === 'string') m.detail = detail;
  return m;
}
