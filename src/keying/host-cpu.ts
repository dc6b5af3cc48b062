import { readFileSync } from 'node:fs';

let cpu: string | undefined;

/** The first CPU's model and feature flags: what -march=native and -C target-cpu=native look at. */
export function hostCpu(): string {
  if (cpu === undefined) {
    const info = readFileSync('/proc/cpuinfo', 'utf8').split('\n\n')[0] ?? '';
    cpu = info.split('\n').filter((l) => /^(vendor_id|cpu family|model|model name|flags)\s*:/.test(l)).join('\n');
  }
  return cpu;
}
