import { lstatSync, mkdirSync } from 'node:fs';

export type RuntimeDirCheck = { ok: true } | { ok: false; problem: string };

/** Creates the runtime directory 0700 when missing, then applies the shim's checks to it. */
export function ensureRuntimeDir(dir: string): RuntimeDirCheck {
  try {
    mkdirSync(dir, { mode: 0o700, recursive: true });
  } catch (e) {
    return { ok: false, problem: `cannot create ${dir}: ${(e as Error).message}` };
  }
  return checkRuntimeDir(dir);
}

export function checkRuntimeDir(dir: string): RuntimeDirCheck {
  let st;
  try {
    st = lstatSync(dir);
  } catch (e) {
    return { ok: false, problem: `cannot stat ${dir}: ${(e as Error).message}` };
  }
  if (!st.isDirectory()) return { ok: false, problem: `${dir} is not a directory (symlinks are refused)` };
  const uid = process.getuid?.() ?? 0;
  if (st.uid !== uid) return { ok: false, problem: `${dir} is owned by uid ${st.uid}, not ${uid}` };
  if ((st.mode & 0o077) !== 0) return { ok: false, problem: `${dir} has mode ${(st.mode & 0o777).toString(8)}; it must be 700` };
  return { ok: true };
}
