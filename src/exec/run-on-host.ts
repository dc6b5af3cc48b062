import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, realpathSync, rmSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from '../daemon/logger.js';
import type { Sandbox } from './create-sandbox.js';
import { hostView } from './host-view.js';

export interface HostRunRequest {
  sandbox: Sandbox;
  toolPath: string;
  args: string[];
  cwd: string;
  /** The tool's environment; $TMPDIR is set to a private directory on a copy. */
  env: ReadonlyMap<string, string>;
  umask: number;
  /** The files the tool writes (absolute), read back in this order when it succeeds. */
  outputs: readonly string[];
  /** Only over overlays: a tool that renames temporaries over its outputs (rustc) cannot write to bound files. */
  overlayOnly?: boolean;
  /**
   * Over an overlay only: outputs start empty (the host's old ones are hidden behind empty
   * files) and one the tool did not write reads back empty. For ghc, whose old interface
   * at the destination changes the new object's bytes, or stops it writing at all.
   */
  emptyOutputs?: boolean;
  /** Snapshots shown over host files (host-view.ts). */
  pins?: ReadonlyArray<{ src: string; dst: string }>;
  signal: AbortSignal;
  log: Logger;
}

export type HostRunResult =
  | { kind: 'ran'; code: number; signal: number; stdout: Buffer; stderr: Buffer; durationMs: number; outputs: Buffer[] }
  /** The sandbox could not run it at all (no spawner, a view that cannot be built): not the tool's fault. */
  | { kind: 'sandbox-error'; why: string }
  /** overlayOnly, and no overlay could be had here. */
  | { kind: 'no-overlay' };

/** Whether overlayfs mounts work for this cache's scratch directory (an upper directory needs a file system that supports one). */
let overlays: 'untried' | 'work' | 'fail' = 'untried';

/**
 * Runs a tool over the host's own file system, read-only (hostView), so that every lookup
 * answers as it would outside, with its writes kept in scratch: each output directory an
 * overlay of the host's, or each output a bound scratch file where overlays cannot be had,
 * and a private $TMPDIR. Fills (C, traced) and verify mode (C and rustc) run through here.
 */
export async function runOnHost(q: HostRunRequest): Promise<HostRunResult> {
  const { sandbox } = q;
  const tag = randomBytes(8).toString('hex');
  const tmpDir = join(sandbox.scratchDir, `${tag}-tmp`);
  const scratch = q.outputs.map((_, i) => join(sandbox.scratchDir, `${tag}-${i}.out`));
  const dirs = [tmpDir];
  const releases: Array<() => void> = [];
  try {
    sandbox.ensureScratch();
    for (const s of scratch) closeSync(openSync(s, 'wx', 0o600));
    mkdirSync(tmpDir, { mode: 0o700 });
    const env = new Map(q.env);
    env.set('TMPDIR', tmpDir);
    const sandboxMounts = [physical(sandbox.scratchDir)];
    const attempt = async (overlay: boolean) => {
      const view = hostView(q.outputs.map((path, i) => ({ scratch: scratch[i]!, path })), overlay, q.emptyOutputs === true, q.pins, sandboxMounts);
      if (view === 'no-overlay-here') return view;
      releases.push(view.release);
      dirs.push(...view.uppers);
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const t0 = performance.now();
      const r = await sandbox.executor.run({
        toolPath: q.toolPath, argv0: q.toolPath, args: q.args, cwd: q.cwd, env, umask: q.umask, signal: q.signal,
        view: view.ops, onStarted: () => undefined, onStdout: (d) => out.push(d), onStderr: (d) => err.push(d),
      });
      return { r, written: view.written, out, err, ms: performance.now() - t0 };
    };
    // Compilers write temporary files beside their outputs and rename them (clang's
    // `x-1234.o.tmp`, objcopy for split DWARF, rustc): an overlay lets them, where it can be had.
    let got = overlays === 'fail' ? 'no-overlay-here' : await attempt(true);
    if (got !== 'no-overlay-here' && got.r.kind === 'spawn-failed' && got.r.error.includes('sandbox view: overlay')) {
      if (overlays === 'untried') q.log.warn(`sandbox: overlay mounts do not work in ${sandbox.scratchDir} (${got.r.error}); outputs are bound one by one`);
      overlays = 'fail';
      got = 'no-overlay-here';
    } else if (got !== 'no-overlay-here' && got.r.kind === 'exited') overlays = 'work';
    if (got === 'no-overlay-here' && (q.overlayOnly || q.emptyOutputs)) return { kind: 'no-overlay' };
    if (got === 'no-overlay-here') got = (await attempt(false)) as Exclude<typeof got, 'no-overlay-here'>;
    const { r, written, out, err, ms } = got;
    if (r.kind === 'lost') return { kind: 'sandbox-error', why: 'the sandbox spawner died' };
    if (r.kind === 'spawn-failed') return { kind: 'sandbox-error', why: r.error };
    const ok = r.code === 0 && r.signal === 0;
    const outputs = ok ? q.outputs.map((o, i) => (o.startsWith('/dev/') ? Buffer.alloc(0) : q.emptyOutputs ? readIfThere(written[i]!) : readFileSync(written[i]!))) : [];
    return { kind: 'ran', code: r.code, signal: r.signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err), durationMs: Math.round(ms), outputs };
  } catch (e) {
    return { kind: 'sandbox-error', why: (e as Error).message };
  } finally {
    for (const release of releases) release();
    for (const s of scratch) {
      try {
        unlinkSync(s); // one syscall: rmSync's lstat-then-unlink costs twice that per job
      } catch {
        // already gone, or never made
      }
    }
    // Off the reply's path: the caller does not wait for the scratch directories to go.
    setImmediate(() => dirs.forEach(removeScratch));
  }
}

/** A path with its symlinks resolved, as a mount point shows in mountinfo (itself when it cannot be resolved). */
function physical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function readIfThere(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    return Buffer.alloc(0);
  }
}

/** Removes a scratch directory; overlayfs leaves `work/work` with mode 0, which a user who is not root must open first. */
export function removeScratch(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    try {
      chmodSync(join(dir, 'w', 'work'), 0o700);
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // left for `reprise gc`
    }
  }
}
