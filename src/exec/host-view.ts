import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, realpathSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A host view's layout, with the placeholders it needed on the host (see hostView). */
export interface HostView {
  ops: string[];
  /** Outputs whose directory could not be resolved: the compile will fail to write them, inside as outside. */
  unplaced: string[];
  /** Where the compile's write of each output lands, in the order given. */
  written: string[];
  /** The overlays' scratch directories (upper and work), to remove after the run. */
  uppers: string[];
  /** Removes the empty placeholders made for outputs that did not exist, if still empty. */
  release(): void;
}

export interface HostViewOutput {
  /** A scratch file (bound where the compiler writes), or with `overlay` a scratch directory's base. */
  scratch: string;
  path: string;
}

/**
 * A view that is the host itself, read-only: every path the compiler looks up answers as
 * it would outside, so the sandbox can never decide what the compile sees (a hidden file
 * would change what __has_include, the include search or a rustc `mod` answers). Only the
 * outputs differ. Each is a scratch file bound where the compiler writes it; a bind needs
 * a mount point, and the host is read-only inside, so an output that does not exist yet
 * gets an empty placeholder on the host first (the compile would create it there anyway),
 * removed again if nothing was written to it. With `overlay`, for tools that write
 * temporary files beside their outputs and rename them (objcopy for split DWARF), each
 * output directory is instead the host's with writes going to a scratch upper directory;
 * only where no other mount lies below it, which an overlay would hide, and where its path
 * can be an overlay option (no `,`, `:` or `\`); elsewhere 'no-overlay-here'. With `emptyOld`,
 * an output the host already has shows as an empty file in the overlay: a tool that reads
 * its own previous output (ghc, its old interface) sees none, as on a clean build. `pins`
 * bind snapshots (src) over host files (dst, physical paths). `sandboxMounts`: mount points the
 * sandbox adds to the host's (its scratch directory, physical: the tool writes its depfile and
 * lookup trace there), bound again over an overlay that would hide them (a cache directory
 * inside the project, below the directory an output goes to).
 */
export function hostView(outputs: readonly HostViewOutput[], overlay = false, emptyOld = false, pins: ReadonlyArray<{ src: string; dst: string }> = [], sandboxMounts: readonly string[] = []): HostView | 'no-overlay-here' {
  const ops: string[] = ['ro', '/', '/'];
  const unplaced: string[] = [];
  const written: string[] = [];
  const made: Array<{ path: string; dev: number; ino: number }> = [];
  const overlays = new Map<string, string>();
  const mounts = overlay ? mountPoints() : [];
  for (const o of outputs) {
    if (o.path.startsWith('/dev/')) {
      written.push(o.path);
      continue;
    }
    let dir: string;
    try {
      // The physical directory: a symlink on the way would resolve against the host's root, not the view's.
      dir = realpathSync(dirname(o.path));
    } catch {
      unplaced.push(o.path);
      written.push(o.scratch);
      continue;
    }
    const path = dir === '/' ? `/${basename(o.path)}` : `${dir}/${basename(o.path)}`;
    if (overlay) {
      if (mounts.some((m) => isBelow(m, dir)) || overlayCannotName(dir) !== undefined) return 'no-overlay-here';
      let upper = overlays.get(dir);
      if (upper === undefined) {
        upper = `${o.scratch}-ov${overlays.size}`;
        overlays.set(dir, upper);
        mkdirSync(join(upper, 'u'), { recursive: true, mode: 0o700 });
        mkdirSync(join(upper, 'w'), { mode: 0o700 });
      }
      const at = join(upper, 'u', basename(o.path));
      if (emptyOld && existsSync(path)) writeFileSync(at, '', { mode: 0o600 });
      written.push(at);
      continue;
    }
    try {
      const fd = openSync(path, 'wx', 0o644);
      const st = fstatSync(fd);
      closeSync(fd);
      made.push({ path, dev: st.dev, ino: st.ino });
    } catch {
      // It exists (or cannot be made, and the bind will fail like the compile would).
    }
    ops.push('rw', o.scratch, path);
    written.push(o.scratch);
  }
  // Parents before the directories below them.
  for (const [dir, upper] of [...overlays].sort((a, b) => a[0].length - b[0].length)) ops.push('overlay', upper, dir);
  // The sandbox's own mounts under an overlaid directory, bound again over it: an overlay shows the
  // directory's plain content there, and the tool's writes to it would land in the upper directory.
  for (const m of sandboxMounts) if ([...overlays.keys()].some((dir) => isBelow(m, dir))) ops.push('rw', m, m);
  // Last, over the overlays too: files shown as they were when pinned, whatever the host writes there meanwhile.
  for (const p of pins) ops.push('ro', p.src, p.dst);
  return {
    ops,
    unplaced,
    written,
    uppers: [...overlays.values()],
    release() {
      for (const m of made) {
        try {
          const st = statSync(m.path);
          if (st.dev === m.dev && st.ino === m.ino && st.size === 0) unlinkSync(m.path);
        } catch {
          // gone already
        }
      }
    },
  };
}

/**
 * The character of `path` that an overlay mount cannot name (spawner.c refuses `,`, `:` and `\`
 * in its layers' paths), if any: such a directory gets no overlay, and a cache directory holding
 * one gets none at all (its scratch holds the upper directories; `reprise doctor` warns).
 */
export function overlayCannotName(path: string): string | undefined {
  return /[,:\\]/.exec(path)?.[0];
}

/** Whether `path` lies strictly below the directory `dir`. */
function isBelow(path: string, dir: string): boolean {
  return path.startsWith(dir === '/' ? '/' : `${dir}/`);
}

/** The mount points, read again at most once a second (every fill asks; they seldom change). */
let mounts: { at: number; points: string[] } | undefined;

/** Every mount point of this process's namespace (/proc/self/mountinfo's fifth field, octal escapes undone). */
function mountPoints(): string[] {
  const now = Date.now();
  if (!mounts || now - mounts.at > 1000) mounts = { at: now, points: readMountPoints() };
  return mounts.points;
}

function readMountPoints(): string[] {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .flatMap((l) => {
        const f = l.split(' ')[4];
        return f === undefined ? [] : [f.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))];
      });
  } catch {
    return ['/'];
  }
}
