import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeOrder } from '../../adapters/ghc/ghc-outputs.js';
import type { LanguagePipeline } from '../driver/types.js';
import type { GhcCall, GhcKeyed } from './ghc-call.js';
import { ghcKeyFor } from './ghc-key-for.js';
import { usageCheck } from './usage-views.js';
import { withEnvironmentDigest } from './splice-environment.js';
import { fillGhc, recompileGhc, runGhcUncached, type GhcReason } from './fill-ghc.js';

/**
 * `ghc -c` behind the shared driver: keyed on ghc, the arguments and the source
 * (ghcKeyFor); entries matched on every file, absence and variable the fill's trace saw,
 * with package databases digested without the home unit's registration and home interfaces
 * checked by the usages the module recorded of them (usage-views.ts); outputs placed by
 * role, their directories made as ghc makes them. The fill is fill-ghc.ts; a --make build
 * reaches this pipeline once per module (split-make.ts).
 */
export const ghcPipeline: LanguagePipeline<GhcCall, GhcKeyed, GhcReason | 'cache-disabled'> = {
  key: (ctx, c) => ghcKeyFor(ctx, c),
  matchOn: (ctx, c, k) => ({ files: k.files, dirs: { cwd: c.cwd, pwd: c.keyCwd }, env: withEnvironmentDigest(c.env), views: usageCheck(ctx.algorithm, k.files, c.toolPath) }),
  accepts: (result, _c, k) => result.outputs.length === k.outputs.length,
  place: (_result, c, k) => ({
    order: writeOrder(k.outputs),
    place: (o, i, data) => {
      const w = k.outputs[i];
      if (!w || w.role !== o.role) return undefined;
      const path = resolve(c.cwd, w.path);
      mkdirSync(dirname(path), { recursive: true });
      return { path, data };
    },
  }),
  recompile: recompileGhc,
  fill: fillGhc,
  runUncached: runGhcUncached,
};
