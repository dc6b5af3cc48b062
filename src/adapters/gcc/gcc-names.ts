/**
 * gcc-like driver names, with an optional target prefix and version suffix:
 * gcc, cc, c++, g++, clang, clang++, x86_64-linux-gnu-gcc-12, clang-14.
 */
const GCC_LIKE = /^(?:[A-Za-z0-9_.]+(?:-[A-Za-z0-9_.]+)*-)?(?:gcc|g\+\+|cc|c\+\+|clang|clang\+\+)(?:-\d+(?:\.\d+)*)?$/;

export function isGccLikeName(name: string): boolean {
  return GCC_LIKE.test(name);
}

export function isClangName(name: string): boolean {
  return /(?:^|-)clang(?:\+\+)?(?:-\d+(?:\.\d+)*)?$/.test(name);
}
