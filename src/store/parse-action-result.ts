import { isDigestHex } from '../hashing/create-hasher.js';
import type { ActionResult, OutputFile } from './types.js';
import { isRecord, parseJsonObject } from '../json/parse-json-object.js';

/** Validates a stored action result; anything malformed is undefined (counted as corrupt by the caller). */
export function parseActionResult(text: string): ActionResult | undefined {
  const raw = parseJsonObject(text);
  if (!raw || raw.schema !== 1 || !Array.isArray(raw.outputs)) return undefined;
  const outputs: OutputFile[] = [];
  for (const o of raw.outputs) {
    if (!isRecord(o) || typeof o.role !== 'string' || typeof o.path !== 'string' || o.path === '' || o.path.includes('\0')) return undefined;
    if (typeof o.digest !== 'string' || !isDigestHex(o.digest) || !isCount(o.size) || !isCount(o.mode) || o.mode > 0o7777) return undefined;
    outputs.push({ role: o.role, path: o.path, digest: o.digest, size: o.size, mode: o.mode });
  }
  const { stdoutDigest, stderrDigest, exitCode, durationMs, createdAt, sandboxed, targetRelative, executor } = raw;
  if (typeof stdoutDigest !== 'string' || !isDigestHex(stdoutDigest)) return undefined;
  if (typeof stderrDigest !== 'string' || !isDigestHex(stderrDigest)) return undefined;
  if (typeof exitCode !== 'number' || !Number.isInteger(exitCode) || !isCount(durationMs)) return undefined;
  if (typeof createdAt !== 'string' || typeof sandboxed !== 'boolean') return undefined;
  if (targetRelative !== undefined && targetRelative !== true) return undefined;
  if (executor !== undefined && typeof executor !== 'string') return undefined;
  return { schema: 1, outputs, stdoutDigest, stderrDigest, exitCode, durationMs, createdAt, sandboxed, ...(targetRelative ? { targetRelative } : {}), ...(executor !== undefined ? { executor } : {}) };
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
