// Read-only overlays that add an input root's files to the executor's own system directories
// (place-root-at-slash.ts). bubblewrap 0.8 (Debian 12's) has no overlay option, so the action's
// bubblewrap starts inside a user and mount namespace of its own (`unshare`), where `mount`
// lays each overlay (the staged layers over the executor's directory) before bubblewrap binds
// the system directories, and with them the overlays, into the sandbox. Overlayfs mounts in a
// user namespace need Linux 5.11; serve probes for them once (overlaySupport).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** An overlay at `at` (an absolute path on the executor, a directory it has): `layers` (absolute, staged) over it, the first on top. */
export interface OverlayMount {
  at: string;
  layers: readonly string[];
}

/** The script's exit code when a mount fails: the command never started. */
export const OVERLAY_FAILED_EXIT = 125;
/** The first words of its message then. */
export const OVERLAY_FAILED = 'reprise serve: cannot mount the input root\'s overlay';

// Arguments: LOWERDIR AT pairs, then `--`, then the command. `mount` prints why it failed.
const SCRIPT = `while [ "$1" != -- ]; do mount -n -t overlay reprise -o "ro,lowerdir=$1" "$2" || { echo "${OVERLAY_FAILED} at $2" >&2; exit ${OVERLAY_FAILED_EXIT}; }; shift 2; done; shift; exec "$@"`;

/** overlayfs's lowerdir list: `:` separates layers, `\\` escapes; a comma would end mount's option. */
function lowerDir(dirs: readonly string[]): string {
  for (const d of dirs) if (d.includes(',')) throw new Error(`${d}: a comma cannot be given to an overlay`);
  return dirs.map((d) => d.replace(/[\\:]/g, (c) => `\\${c}`)).join(':');
}

/** The overlays' mounts on this executor: at each directory's real path (`lib/x86_64-linux-gnu` and `usr/lib/x86_64-linux-gnu` are one), outermost first. */
export function overlayMounts(overlays: readonly string[], stageDir: string): OverlayMount[] {
  const byPath = new Map<string, string[]>();
  for (const o of overlays) {
    const at = realpathSync(`/${o}`);
    byPath.set(at, [...(byPath.get(at) ?? []), join(stageDir, o)]);
  }
  return [...byPath].sort(([a], [b]) => (a < b ? -1 : 1)).map(([at, layers]) => ({ at, layers }));
}

/** `program args` run with the overlays mounted in a namespace of its own (outermost first). */
export function withOverlays(unshare: string, mounts: readonly OverlayMount[], program: string, args: readonly string[]): { program: string; args: string[] } {
  const pairs = mounts.flatMap((m) => [lowerDir([...m.layers, m.at]), m.at]);
  return { program: unshare, args: ['--user', '--map-root-user', '--mount', '--', '/bin/sh', '-c', SCRIPT, 'reprise-overlay', ...pairs, '--', program, ...args] };
}

/**
 * bubblewrap's options that keep the command's user as it is without the overlays: inside the
 * namespace `unshare` made, this server's user is root, so bubblewrap is told the ids to map back.
 */
export function sameUserOptions(): string[] {
  return ['--unshare-user', '--uid', String(process.getuid?.() ?? 0), '--gid', String(process.getgid?.() ?? 0)];
}

/** `unshare` when this machine mounts overlays for bubblewrap as withOverlays does (a file added to /usr/bin shows in the sandbox), else why not. */
export function overlaySupport(bwrap: string, unshare: string | undefined): { unshare: string } | { why: string } {
  if (!unshare) return { why: 'unshare (util-linux) is not on PATH' };
  const dir = mkdtempSync(join(tmpdir(), 'reprise-overlay-probe-'));
  try {
    const layer = join(dir, 'layer');
    mkdirSync(layer);
    writeFileSync(join(layer, '.reprise-overlay-probe'), 'ok');
    const run = withOverlays(unshare, [{ at: '/usr/bin', layers: [layer] }], bwrap, ['--unshare-all', ...sameUserOptions(), '--ro-bind', '/', '/', '--', '/bin/cat', '/usr/bin/.reprise-overlay-probe']);
    const out = execFileSync(run.program, run.args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
    return out === 'ok' ? { unshare } : { why: `the probe read ${JSON.stringify(out)}` };
  } catch (e) {
    const err = (e as { stderr?: Buffer | string }).stderr?.toString().trim();
    return { why: err || (e as Error).message };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
