import type { ExecutorSpec } from '../../config/executor-spec.js';

/**
 * Whether a result from this executor may be stored as sandboxed (fit for shared tiers): it is
 * trusted to run exactly the input root in a sandbox, and the root held the whole toolchain.
 * An image's compiler and system headers are the executor's, which this host cannot prove equal
 * to its own, so `toolchain = "image"` results stay on this machine whatever `trusted` says
 * (counted as `image-unproven`).
 */
export function provenBy(spec: ExecutorSpec): boolean {
  return spec.trusted && spec.toolchain === 'action';
}
