/**
 * Why a compile that parsed as cacheable was still not cached (the adapters' parse
 * reasons are in their own lists). Closed and append-only; `reprise stats` counts each.
 */
export const PIPELINE_UNCACHEABLE_REASONS = [
  'source-unreadable', // the source could not be read before compiling
  'time-macro', // __DATE__, __TIME__ or __TIMESTAMP__ in the source or a header (C, ghc's CPP), or a proc-macro or splice that read the wall clock
  'computed-has-include', // __has_include with a macro argument and no lookup trace: we cannot know what it probes
  'input-vanished', // a file the depfile names could not be read after the compile
  'input-changed-during-compile', // an input was written while the compiler ran
  'no-depfile', // the compiler wrote no dependency list, so its inputs are unknown
  'missing-output', // an expected output file was not written
  'depfile-mmd', // retired: -MMD compiles are cached since a dependency pre-pass lists their inputs
  'not-preprocessed', // .i, .s: inputs beyond the source (.incbin) cannot be listed yet
  'tool-prefix', // -B: the programs the driver runs are not identified yet
  'unsupported-include-option', // -I-, -iprefix, -iwithprefix, -F ...: the search order is not modelled
  'unresolved-extra-input', // -fprofile-use without a file we can hash
  'cache-disabled', // REPRISE_CACHE=0
  'dependency-env', // DEPENDENCIES_OUTPUT or SUNPRO_DEPENDENCIES: gcc writes a depfile we would not replay
  'dep-scan-failed', // the -M pre-pass of an -MMD compile failed, or the compiler's -E -v printed no search list, so its inputs are unknown
  'sandbox-violation', // the compile failed in the sandbox and succeeded outside: it reads something the key does not cover (the log names it)
  'sandbox-unavailable', // no working sandbox here (reprise doctor says why) and REPRISE_SANDBOX is not off
  'sandbox-error', // the sandbox itself failed (its spawner died, a view could not be built); the compile ran outside
  'dotdot-past-symlink', // a path read or searched climbs out of a symlinked directory (`link/..`): the kernel resolves it elsewhere than the key names it
  'pragma-dependency', // #pragma GCC dependency: whether gcc warns depends on two files' mtimes, not their contents
  'driver-fails-in-sandbox', // the driver is a script that cannot compile an empty file in the sandbox (it needs a command the view lacks, or finds itself on PATH): its compiles run outside
  'dangling-symlink-probe', // a path the compiler searched and did not find is (or lies below) a symlink whose target is missing: the target may appear where no directory stamp vouches for it
  'trace-incomplete', // a traced fill left no whole record of what it looked up (a process killed, or one the tracer cannot enter, such as a static program)
  'unkeyed-lookup', // the traced fill asked whether a path exists, and the key does not keep that answer (docs/trust-model.md, "Traced fills")
  'directory-listed', // the traced fill listed a directory outside the toolchain: what it found there is not in the key
  'unkeyed-program', // the traced fill ran or loaded a program that is not the toolchain's
  'unkeyed-env', // the traced fill read an environment variable the key does not hold
  'view-hid-path', // a rustc fill looked up a path its view hid and the host has: the view may have decided what it compiled, so it ran outside and was not stored
  'precompiled-header', // the compile read a gcc precompiled header (.gch), which its depfile does not list and whose own inputs are unknown
  'twin-inputs', // two files the compile read (or found) have the same bytes: whether it reads the second depends on mtimes and inodes (#pragma once) or on links between search directories, not on contents
  'aliased-search-dir', // two search directories spelled apart are one directory (a symlink, or a path through one) and #include_next or their kinds (-I, -isystem, ...) make it matter: the compiler drops the second, and which it drops follows the links, not the contents
  'loader-env', // the caller set LD_PRELOAD or LD_AUDIT: a library the dynamic loader puts into the compiler (whose bytes no key holds, and whose loading no trace sees) can change what it writes
] as const;
export type PipelineUncacheableReason = (typeof PIPELINE_UNCACHEABLE_REASONS)[number];
