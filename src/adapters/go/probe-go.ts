import { execFile } from 'node:child_process';
import { realpathSync, statSync } from 'node:fs';

export interface GoToolInfo {
  /** runtime.Version() of the go command, e.g. "go1.23.5". */
  version: string;
  /** Whether this go command reads GOCACHEPROG: Go >= 1.24, or one built with GOEXPERIMENT=cacheprog. */
  readsCacheProg: boolean;
}

const memo = new Map<string, Promise<GoToolInfo | undefined>>();

/** Go >= 1.24 reads GOCACHEPROG as it is (go1.24rc1 and later count). */
export function versionReadsCacheProg(version: string): boolean {
  const m = /^go(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 1 || (major === 1 && minor >= 24);
}

/** Reads `go version -m` output: the first line names the version, the build lines the experiments. */
export function parseGoVersionM(text: string): GoToolInfo | undefined {
  const version = /^[^\n]*:\s+(go\S+)/.exec(text)?.[1];
  if (!version) return undefined;
  const experiments = /^\s*build\s+GOEXPERIMENT=(\S*)/m.exec(text)?.[1] ?? '';
  return { version, readsCacheProg: versionReadsCacheProg(version) || experiments.split(',').includes('cacheprog') };
}

/**
 * What this go command is, from `go version -m` on its own binary (an experiment is compiled
 * into cmd/go; GOEXPERIMENT at run time does not turn GOCACHEPROG on). Memoised by the
 * binary's real path and stamp; undefined when it cannot be told.
 */
export function probeGo(toolPath: string, env: ReadonlyMap<string, string>): Promise<GoToolInfo | undefined> {
  let real: string;
  let stamp: string;
  try {
    real = realpathSync(toolPath);
    const st = statSync(real);
    stamp = `${real}:${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${env.get('GOROOT') ?? ''}`;
  } catch {
    return Promise.resolve(undefined);
  }
  let p = memo.get(stamp);
  if (!p) {
    // GOTOOLCHAIN=local: a go.mod asking for a newer Go must not make the probe download one.
    const probeEnv: NodeJS.ProcessEnv = { ...Object.fromEntries(env), GOTOOLCHAIN: 'local', GOFLAGS: '' };
    p = new Promise((resolve) => {
      execFile(toolPath, ['version', '-m', real], { env: probeEnv, cwd: '/', timeout: 10_000, maxBuffer: 1 << 20 }, (err, stdout) => {
        resolve(err ? undefined : parseGoVersionM(stdout));
      });
    });
    memo.set(stamp, p);
    void p.then((r) => {
      if (!r) memo.delete(stamp); // try again next time
    });
  }
  return p;
}
