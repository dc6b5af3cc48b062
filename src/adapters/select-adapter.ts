import type { CompilerAdapter } from './types.js';
import { gccAdapter } from './gcc/gcc-adapter.js';
import { rustcAdapter } from './rustc/rustc-adapter.js';
import { ghcAdapter } from './ghc/ghc-adapter.js';

const ADAPTERS: readonly CompilerAdapter[] = [gccAdapter, rustcAdapter, ghcAdapter];

/** The adapter for a shim name, or undefined when no family claims it (the call is passed through). */
export function selectAdapter(shimName: string): CompilerAdapter | undefined {
  return ADAPTERS.find((a) => a.claims(shimName));
}
