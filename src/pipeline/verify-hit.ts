import { resolve } from 'node:path';
import type { Sandbox } from '../exec/create-sandbox.js';
import { appendMismatch } from '../verify/mismatch-log.js';
import { HINT_TEXT, mismatchHint } from '../verify/mismatch-hint.js';
import type { VerifyDifference, VerifyMismatch } from '../verify/types.js';
import type { CacheContext } from './cache-context.js';
import type { CompileJob } from './types.js';
import { jobOutputs } from './place-outputs.js';
import type { Replayed } from './replay.js';
import type { SandboxRun } from './run-in-sandbox.js';

/**
 * A fresh compile of the call in the sandbox, as a cache fill runs it, with nothing stored
 * and nothing written where the caller looks; or why it could not run (an uncacheable reason).
 */
export type Recompile = (sandbox: Sandbox, signal: AbortSignal) => Promise<SandboxRun | string>;

/** What verify mode needs of a call: a C CompileCall and a RustCall both have it. */
export interface VerifiedCall {
  tool: string;
  cwd: string;
  env: ReadonlyMap<string, string>;
  job: { source: string; outputs: ReadonlyArray<{ role: string; path: string }>; depfile?: CompileJob['depfile'] };
}

/** Whether to verify this hit: a call made under `reprise verify` (REPRISE_VERIFY=1 in its environment), or one in REPRISE_VERIFY_RATE. */
export function verifyWanted(ctx: CacheContext, c: VerifiedCall): boolean {
  return (ctx.verify.rate > 0 && Math.random() < ctx.verify.rate) || c.env.get('REPRISE_VERIFY') === '1';
}

/** Everything a compile gives its caller, as bytes to compare. */
interface Given {
  outputs: Array<Buffer | undefined>;
  stdout: Buffer;
  stderr: Buffer;
  exit: Buffer;
}

/**
 * Verify mode (Nix's --check, Go's gocacheverify): compiles a hit again in the sandbox and
 * compares every byte the caller got (outputs as placed, stdout, stderr, exit status).
 * A difference is compiled once more to tell nondeterminism from a bad entry, counted,
 * logged and recorded for `reprise verify`. Never rejects: the hit has been served.
 */
export async function verifyHit(ctx: CacheContext, c: VerifiedCall, resultKey: string, replayed: Replayed, recompile: Recompile, signal: AbortSignal): Promise<void> {
  const skip = (why: string): void => {
    ctx.stats.bumpCache('verify-skipped');
    ctx.log.warn(`verify: ${c.tool} ${c.job.source} in ${c.cwd} not verified: ${why}`);
  };
  try {
    const sandbox = ctx.sandbox;
    if (!sandbox) return skip('the sandbox is off (REPRISE_SANDBOX=off)');
    const status = await sandbox.status();
    if (!status.ok) return skip(`no sandbox: ${status.why}`);
    const first = await recompile(sandbox, signal);
    if (signal.aborted) return; // the caller went away: nothing to say
    if (typeof first === 'string') return skip(first);
    if (first.kind === 'sandbox-error') return skip(`sandbox error: ${first.why}`);
    const stored = given(replayed.outputs, replayed.stdout, replayed.stderr, replayed.exitCode, 0);
    const fresh = given(first.data, first.outcome.stdout, first.outcome.stderr, first.outcome.code, first.outcome.signal);
    const same = first.same;
    const differing = differences(c).filter((s) => (s.output !== undefined && same ? !same(s.output, bytes(stored, s), bytes(fresh, s)) : !bytes(stored, s).equals(bytes(fresh, s))));
    ctx.stats.bumpCache('verified');
    if (differing.length === 0) return;

    const freshFailed = first.outcome.code !== 0 || first.outcome.signal !== 0;
    const second = freshFailed ? undefined : await recompile(sandbox, signal);
    const again = second !== undefined && typeof second !== 'string' && second.kind === 'ran'
      ? given(second.data, second.outcome.stdout, second.outcome.stderr, second.outcome.code, second.outcome.signal)
      : undefined;
    const { hint, detail } = mismatchHint(differing.map((s) => ({ cached: bytes(stored, s), fresh: bytes(fresh, s), again: again && bytes(again, s) })), freshFailed);
    const first0 = c.job.outputs[0];
    const m: VerifyMismatch = {
      schema: 1, at: new Date().toISOString(), tool: c.tool,
      file: resolve(c.cwd, first0 && !resolve(c.cwd, first0.path).startsWith('/dev/') ? first0.path : c.job.source),
      cwd: c.cwd, resultKey, differs: differing.map((s) => s.diff), hint, ...(detail ? { detail } : {}),
    };
    ctx.stats.bumpCache('verify-mismatch');
    ctx.log.warn(`verify-mismatch: ${m.file} (result ${resultKey}): differs in ${m.differs.map((d) => d.what).join(', ')}; likely ${HINT_TEXT[hint]}${detail ? `: ${detail}` : ''}`);
    await appendMismatch(ctx.verify.log, m);
  } catch (e) {
    skip(`verification failed: ${(e as Error).message}`);
  }
}

function given(outputs: Buffer[], stdout: Buffer, stderr: Buffer, code: number, signal: number): Given {
  return { outputs, stdout, stderr, exit: Buffer.from(signal !== 0 ? `signal ${signal}` : `exit ${code}`) };
}

/** What can differ, in report order: each output the caller sees (not /dev/null), then the messages and the exit status. */
interface Slot {
  diff: VerifyDifference;
  output?: number;
  stream?: 'stdout' | 'stderr' | 'exit';
}

function differences(c: VerifiedCall): Slot[] {
  const slots: Slot[] = [];
  jobOutputs(c.job).forEach((o, i) => {
    const path = resolve(c.cwd, o.path);
    if (!path.startsWith('/dev/')) slots.push({ diff: { what: o.role, path }, output: i });
  });
  slots.push({ diff: { what: 'stdout' }, stream: 'stdout' }, { diff: { what: 'stderr' }, stream: 'stderr' }, { diff: { what: 'exit-code' }, stream: 'exit' });
  return slots;
}

const NONE = Buffer.alloc(0);

function bytes(g: Given, s: Slot): Buffer {
  if (s.output !== undefined) return g.outputs[s.output] ?? NONE;
  return g[s.stream!];
}
