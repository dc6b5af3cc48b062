/** ghc's flags that start with -i and are not import paths. */
const OTHER_I_FLAG = /^-i(?:gnore-|nclude-|nstantiated-|nteractive)/;

/** What one argument does to ghc's import path: `reset` (`-i` alone), the directories it adds (`-iA:B`), or undefined (another flag). */
export function importDirsFlag(a: string): string[] | 'reset' | undefined {
  if (a === '-i') return 'reset';
  if (!a.startsWith('-i') || OTHER_I_FLAG.test(a)) return undefined;
  return a.slice(2).split(':').filter((d) => d !== '');
}
