// What the Go fault tests share: each build in a fresh GOCACHE of its workspace, through
// `reprise exec -- go build`, its binary checked against the bare go's (built once).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installPaths } from '../../src/runtime/install-paths.js';
import { goEnv, type GoToolchain } from './go-toolchains.js';
import { run, text } from './run.js';
import type { Workspace } from './workspace.js';

export interface GoFaultKit {
  /** go's environment in `ws` with a GOCACHE of its own, and `extra` over it. */
  envIn(ws: Workspace, extra?: Record<string, string>): NodeJS.ProcessEnv;
  /** The bare `go build` binary of the project (built once, in `scratch`). */
  bareBinary(): Promise<Buffer>;
  /** `reprise exec -- go build GOARGS -o OUT .` (through `wrap`, if any), its binary checked against the bare one. */
  buildChecked(ws: Workspace, env: NodeJS.ProcessEnv, opts?: { wrap?: string[]; goArgs?: string[] }): Promise<void>;
}

export function goFaultKit(scratch: Workspace, tc: GoToolchain, proj: string): GoFaultKit {
  let n = 0;
  let bare: Buffer | undefined;
  const envIn: GoFaultKit['envIn'] = (ws, extra = {}) => ({
    ...goEnv(ws.bareEnv, tc, join(ws.realDir, `gocache-${n++}`), join(ws.realDir, 'gopath')),
    ...extra,
  });
  const bareBinary = async (): Promise<Buffer> => {
    if (!bare) {
      const out = join(scratch.realDir, 'bare');
      const r = await run('go', ['build', '-o', out, '.'], { cwd: proj, env: envIn(scratch) });
      assert.equal(r.code, 0, text(r));
      bare = readFileSync(out);
    }
    return bare;
  };
  return {
    envIn,
    bareBinary,
    async buildChecked(ws, env, { wrap = [], goArgs = [] } = {}) {
      const out = join(ws.realDir, `out-${n++}`);
      const cmd = [...wrap, process.execPath, join(installPaths.root, 'bin', 'reprise.js'), 'exec', '--', 'go', 'build', ...goArgs, '-o', out, '.'];
      const r = await run(cmd[0]!, cmd.slice(1), { cwd: proj, env });
      assert.equal(r.code, 0, text(r));
      assert.ok(readFileSync(out).equals(await bareBinary()), 'the binary differs from bare go build');
    },
  };
}
