import { resolve } from 'node:path';
import { parseDepfileTemplate, renderDepfileTemplate } from '../adapters/gcc/depfile-template.js';
import type { PlaceOutput } from './replay.js';
import type { CompileJob } from './types.js';

/** A stored depfile that is rewritten for each caller (depfile-template.ts). */
export const DEPFILE_TEMPLATE_ROLE = 'depfile-template';

/** The files a compile writes, in the order results list them: the outputs, then the depfile. */
export function jobOutputs(job: { outputs: ReadonlyArray<{ role: string; path: string }>; depfile?: CompileJob['depfile'] }): Array<{ role: string; path: string }> {
  return [...job.outputs, ...(job.depfile ? [{ role: 'depfile', path: job.depfile.path }] : [])];
}

/**
 * Places a result's outputs for one call: each where this call asked for it (the result
 * may come from a call in another checkout), a depfile template rendered for its $PWD
 * and targets. A result whose outputs do not line up with the call's is not used.
 */
export function placeOutputs(c: { cwd: string; keyCwd: string; job: CompileJob }): PlaceOutput {
  const wanted = jobOutputs(c.job);
  return (o, i, data) => {
    const w = wanted[i];
    if (!w) return undefined;
    const path = resolve(c.cwd, w.path);
    if (o.role !== DEPFILE_TEMPLATE_ROLE) return o.role === w.role ? { path, data } : undefined;
    const t = w.role === 'depfile' && c.job.depfile ? parseDepfileTemplate(data.toString('utf8')) : undefined;
    return t && c.job.depfile ? { path, data: Buffer.from(renderDepfileTemplate(t, c.job.depfile.targets, c.keyCwd), 'utf8') } : undefined;
  };
}
