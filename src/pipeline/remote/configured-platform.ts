import type { ToolchainSource } from '../../config/executor-spec.js';
import type { RemoteExecution } from './types.js';

/** The platform properties executor `name`'s config table adds (after OSFamily and ISA, which each action sets itself). */
export function configuredPlatform(remote: RemoteExecution, name: string): Array<{ name: string; value: string }> {
  return Object.entries(remote.targets.find((t) => t.name === name)?.spec.platform ?? {}).map(([k, v]) => ({ name: k, value: v }));
}

/** The configured properties as an executor option (absent when there are none): a host-path action adds its own before them. */
export function platformOption(remote: RemoteExecution, name: string): { platform?: Array<{ name: string; value: string }> } {
  const extra = configuredPlatform(remote, name);
  return extra.length === 0 ? {} : { platform: extra };
}

/** Where executor `name`'s actions get their toolchain (its `toolchain` setting). */
export function toolchainOf(remote: RemoteExecution, name: string): ToolchainSource {
  return remote.targets.find((t) => t.name === name)?.spec.toolchain ?? 'action';
}
