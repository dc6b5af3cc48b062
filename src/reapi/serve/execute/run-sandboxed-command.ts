import { spawn } from 'node:child_process';
import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { constants } from 'node:os';
import { join, relative } from 'node:path';
import { SYSTEM_TOP_DIRS } from '../../platform-properties.js';
import type { LocalExecutor } from '../../../exec/types.js';
import { OVERLAY_FAILED, OVERLAY_FAILED_EXIT, sameUserOptions, withOverlays, type OverlayMount } from './overlay-mounts.js';

/** The host's system directories, read-only in every action: clients such as Bazel name tools by absolute host paths. */
const SYSTEM_DIRS = [...SYSTEM_TOP_DIRS].map((d) => `/${d}`);

/** Where the tracer is bound inside the sandbox. */
const TRACER_AT = '/.reprise-lookup-trace.so';
/** Top-level names the sandbox binds for itself besides the system's and /tmp (place-root-at-slash.ts): an input root at `/` may not hold them. */
export const SANDBOX_OWN_TOP_DIRS: ReadonlySet<string> = new Set([TRACER_AT.slice(1)]);

/** Kept of an action's stdout and of its stderr; the rest is dropped. */
const MAX_CAPTURE = 64 * 1024 * 1024;
/** bubblewrap's options on its command line up to this size in all (the kernel allows 2 MiB, 128 KiB an argument); a larger root's go through a pipe. */
const MAX_COMMAND_LINE = 256 * 1024;

export interface SandboxedCommand {
  bwrap: string;
  /** The staged input root: the action's writable exec directory, at the same path inside. */
  root: string;
  /**
   * Read-only binds in order, at absolute paths under `root`: staged files and directories over
   * themselves (they hold links to store files), or cached directories (`source`) at their place.
   */
  readOnly: ReadonlyArray<{ path: string; source?: string }>;
  /** Relative to `root`. */
  workingDirectory: string;
  /** Directories of the root (relative), each bound at the same path from `/` (ROOT_AT_PROPERTY, place-root-at-slash.ts); the root itself is then not visible at its own path. */
  rootAtSlash?: readonly string[];
  /** Overlays laid before the sandbox is made (place-root-at-slash.ts), with `unshare` (overlay-mounts.ts), which must be given with them. */
  overlays?: { mounts: readonly OverlayMount[]; unshare: string };
  arguments: readonly string[];
  /** Exactly the Command's environment (with `trace`, the tracer's variables added inside). */
  env: ReadonlyMap<string, string>;
  /** Preload the lookup tracer (`library`, a host path) into the command, recording into `file` (relative to `root`; it must exist). */
  trace?: { library: string; file: string };
  timeoutMs: number;
  signal: AbortSignal;
  /**
   * Starts bubblewrap (the server's reprise-spawner: create-spawner.ts), so that an action costs
   * a fork of that small process, not of the whole server as Node's spawn does. Without it, or
   * for options too long for a command line, Node's spawn with the options through a pipe.
   */
  launcher?: LocalExecutor;
}

export type CommandOutcome =
  | { kind: 'exited'; exitCode: number; stdout: Buffer; stderr: Buffer; timedOut: boolean }
  | { kind: 'not-started'; why: string };

/**
 * Runs a Command in bubblewrap: every namespace unshared (no network), no capabilities, a
 * private /tmp, /dev and /proc of its own, the host's system directories read-only, the staged
 * root writable at its own path but the staged store files bound read-only over themselves (so
 * they can be neither written, chmodded, replaced nor hardlinked elsewhere: EROFS, EBUSY, EXDEV).
 * bwrap reads its options from a pipe (--args; the command stays on its command line), so an
 * input root of any size fits. A timeout or the signal kills bwrap, and with it
 * (--die-with-parent, the pid namespace) the action.
 */
export function runSandboxedCommand(c: SandboxedCommand): Promise<CommandOutcome> {
  const args: string[] = ['--unshare-all', '--die-with-parent', '--new-session', '--cap-drop', 'ALL'];
  const overlaid = c.overlays !== undefined && c.overlays.mounts.length > 0 ? c.overlays : undefined;
  if (overlaid) args.push(...sameUserOptions());
  for (const dir of SYSTEM_DIRS) {
    let st;
    try {
      st = lstatSync(dir);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else if (st.isDirectory()) args.push('--ro-bind', dir, dir);
  }
  args.push('--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp');
  if (c.rootAtSlash) {
    const at = (p: string): string => `/${relative(c.root, p)}`;
    for (const dir of c.rootAtSlash) args.push('--bind', join(c.root, dir), `/${dir}`);
    for (const b of c.readOnly) args.push('--ro-bind', b.source ?? b.path, at(b.path));
    args.push('--chdir', `/${c.workingDirectory}`);
  } else {
    args.push('--bind', c.root, c.root);
    for (const b of c.readOnly) args.push('--ro-bind', b.source ?? b.path, b.path);
    args.push('--chdir', join(c.root, c.workingDirectory));
  }
  if (c.trace) {
    // Set inside only: bubblewrap itself must not preload a library it cannot see.
    args.push('--ro-bind', c.trace.library, TRACER_AT);
    const preload = c.env.get('LD_PRELOAD');
    args.push('--setenv', 'LD_PRELOAD', preload ? `${TRACER_AT}:${preload}` : TRACER_AT);
    args.push('--setenv', 'REPRISE_TRACE', c.rootAtSlash ? `/${c.trace.file}` : join(c.root, c.trace.file));
  }
  const size = args.reduce((n, a) => n + Buffer.byteLength(a) + 1, 0);
  const start = (options: readonly string[]): { program: string; args: string[] } =>
    overlaid ? withOverlays(overlaid.unshare, overlaid.mounts, c.bwrap, [...options, '--', ...c.arguments]) : { program: c.bwrap, args: [...options, '--', ...c.arguments] };
  let started: { program: string; args: string[] };
  try {
    started = start(c.launcher && size <= MAX_COMMAND_LINE ? args : ['--args', '3']);
  } catch (e) {
    return Promise.resolve({ kind: 'not-started', why: (e as Error).message }); // a layer's path overlayfs cannot take
  }
  if (c.launcher && size <= MAX_COMMAND_LINE) return launched(c, c.launcher, started);
  return new Promise((resolve) => {
    const child = spawn(started.program, started.args, { env: Object.fromEntries(c.env), stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    const out = capture();
    const err = capture();
    child.stdout!.on('data', out.add);
    child.stderr!.on('data', err.add);
    const argPipe = child.stdio[3] as NodeJS.WritableStream;
    argPipe.on('error', () => undefined); // bwrap gone before reading: its exit says why
    argPipe.end(Buffer.from(args.map((a) => `${a}\0`).join('')));
    let timedOut = false;
    const kill = (): void => void child.kill('SIGKILL');
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, c.timeoutMs);
    c.signal.addEventListener('abort', kill);
    let settled = false;
    const finish = (o: CommandOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      c.signal.removeEventListener('abort', kill);
      resolve(o);
    };
    child.once('error', (e) => finish({ kind: 'not-started', why: `cannot run ${c.bwrap}: ${e.message}` }));
    child.once('close', (code, sig) => finish(outcome(code ?? 128 + signalNumber(sig), out.bytes(), err.bytes(), timedOut)));
  });
}

/** bubblewrap, its options on its command line, started by the launcher; the same outcome as the spawn path's. */
function launched(c: SandboxedCommand, launcher: LocalExecutor, started: { program: string; args: string[] }): Promise<CommandOutcome> {
  const out = capture();
  const err = capture();
  const stop = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    stop.abort();
  }, c.timeoutMs);
  const kill = (): void => stop.abort();
  c.signal.addEventListener('abort', kill);
  if (c.signal.aborted) kill();
  return launcher
    .run({
      toolPath: started.program, argv0: started.program, args: started.args, cwd: c.root, env: new Map(c.env), umask: serverUmask(),
      signal: stop.signal, onStarted: () => undefined, onStdout: out.add, onStderr: err.add,
    })
    .then((r): CommandOutcome => {
      switch (r.kind) {
        case 'exited':
          return outcome(r.signal > 0 ? 128 + r.signal : r.code, out.bytes(), err.bytes(), timedOut);
        case 'spawn-failed':
          return { kind: 'not-started', why: `cannot run ${c.bwrap}: ${r.error}` };
        case 'lost':
          return { kind: 'not-started', why: 'the server\'s spawner died' };
      }
    })
    .finally(() => {
      clearTimeout(timer);
      c.signal.removeEventListener('abort', kill);
    });
}

function outcome(exitCode: number, stdout: Buffer, stderr: Buffer, timedOut: boolean): CommandOutcome {
  // bwrap reports its own failures (a bind, the exec of argv[0]) as one "bwrap: ..." line and exit 1.
  const text = stderr.toString('utf8');
  const own = /^bwrap: ([^\n]*)\n?$/.exec(text);
  if (exitCode === 1 && own && !timedOut) return { kind: 'not-started', why: own[1]! };
  if (exitCode === OVERLAY_FAILED_EXIT && text.includes(OVERLAY_FAILED) && !timedOut) return { kind: 'not-started', why: text.trim() };
  return { kind: 'exited', exitCode, stdout, stderr, timedOut };
}

let umask: number | undefined;
/** The server's umask, which Node's spawn passes on (process.umask() without an argument is deprecated: it sets it to read it). */
function serverUmask(): number {
  if (umask === undefined) {
    const m = /^Umask:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    umask = m ? parseInt(m[1]!, 8) : 0o022;
  }
  return umask;
}

function capture(): { add: (d: Buffer) => void; bytes: () => Buffer } {
  const parts: Buffer[] = [];
  let n = 0;
  return {
    add: (d) => {
      if (n >= MAX_CAPTURE) return;
      parts.push(d.subarray(0, MAX_CAPTURE - n));
      n += d.length;
    },
    bytes: () => Buffer.concat(parts),
  };
}

function signalNumber(sig: NodeJS.Signals | null): number {
  return (sig && constants.signals[sig]) || 1;
}
