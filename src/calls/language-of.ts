/** The language a shim name compiles, as the dashboard groups its charts. */
export type Language = 'C/C++' | 'Rust' | 'GHC' | 'Go' | 'other';

const C_FAMILY = /^(?:.*-)?(?:gcc|g\+\+|cc|c\+\+|clang|clang\+\+)(?:-[\d.]+)?$/;

export function languageOf(tool: string): Language {
  if (tool === 'rustc') return 'Rust';
  if (tool === 'ghc') return 'GHC';
  if (tool === 'go') return 'Go';
  return C_FAMILY.test(tool) ? 'C/C++' : 'other';
}
