/** The names `reprise shims install` creates by default: every compiler a build calls by name. */
export const DEFAULT_SHIM_NAMES = ['gcc', 'g++', 'cc', 'c++', 'clang', 'clang++', 'rustc', 'ghc', 'go'] as const;
