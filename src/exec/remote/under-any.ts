/** Whether a normalised absolute path is one of `roots` or lies under one (the paths an image answers for). */
export function underAny(p: string, roots: readonly string[]): boolean {
  return roots.some((r) => p === r || r === '/' || p.startsWith(`${r}/`));
}
