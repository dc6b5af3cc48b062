import { findOnPath } from '../../src/exec/find-on-path.js';

/** Whether a test can hide a compiler from a server it starts: root, with util-linux's unshare for a private mount namespace. */
export const canHide = process.getuid?.() === 0 && findOnPath('unshare', process.env.PATH) !== undefined;

/**
 * A script for `unshare -m sh -c HIDE_COMPILER sh EMPTY_FILE COMMAND...`: in a private mount
 * namespace it hides gcc, g++, cpp and as (an empty file bound over each binary), /usr/lib/gcc,
 * /usr/libexec/gcc and /usr/include (empty read-only tmpfs), checks that no compiler runs, then
 * execs COMMAND. Used to prove that a remote action carries its own toolchain.
 */
export const HIDE_COMPILER = `set -e
empty=$1; shift
mount --make-rprivate /
for d in /usr/lib/gcc /usr/libexec/gcc /usr/include; do [ -d "$d" ] && mount -t tmpfs -o ro,size=4k hidden "$d"; done
: > "$empty"
for f in /usr/bin/*gcc* /usr/bin/*g++* /usr/bin/cc /usr/bin/c++ /usr/bin/c89 /usr/bin/c99 /usr/bin/as /usr/bin/*-linux-gnu-as /usr/bin/cpp* /usr/bin/*-linux-gnu-cpp*; do
  if [ -f "$f" ] && [ ! -L "$f" ]; then mount --bind "$empty" "$f"; fi
done
if gcc --version >/dev/null 2>&1 || g++ --version >/dev/null 2>&1 || as --version >/dev/null 2>&1 || [ -e /usr/include/stdio.h ]; then echo "the compiler is still there" >&2; exit 1; fi
exec "$@"`;

/** What whiteOutScript takes away from a machine. */
export interface Hidden {
  /** Shell globs of names in /usr/bin. */
  programs: string;
  /** Shell globs of names in /usr/lib/x86_64-linux-gnu (libraries only the hidden tools use). */
  libraries: string;
  /** Directories made empty read-only tmpfs where they exist. */
  dirs: string;
  /** A shell condition true while anything hidden can still be found or run: the script then fails. */
  stillThere: string;
}

/**
 * A script for `unshare -m sh -c SCRIPT sh SCRATCH_DIR COMMAND...`: in a private mount
 * namespace it removes a toolchain from the machine as an executor without it would be: its
 * programs in /usr/bin and its libraries are whited out (an overlay of character devices 0/0
 * over the directory, so that no file is left to find even through another overlay, which a
 * bind over each file would not give), and its directories are empty read-only tmpfs. It checks
 * that nothing of it is left, then execs COMMAND.
 */
export function whiteOutScript(h: Hidden): string {
  return `set -e
scratch=$1; shift
mount --make-rprivate /
mkdir -p "$scratch/bin" "$scratch/lib"
cd /usr/bin
for f in ${h.programs}; do
  if { [ -e "$f" ] || [ -L "$f" ]; } && [ ! -e "$scratch/bin/$f" ]; then mknod "$scratch/bin/$f" c 0 0; fi
done
cd /usr/lib/x86_64-linux-gnu
for f in ${h.libraries}; do
  if { [ -e "$f" ] || [ -L "$f" ]; } && [ ! -e "$scratch/lib/$f" ]; then mknod "$scratch/lib/$f" c 0 0; fi
done
cd /
mount -t overlay hidden -o "lowerdir=$scratch/bin:/usr/bin" /usr/bin
mount -t overlay hidden -o "lowerdir=$scratch/lib:/usr/lib/x86_64-linux-gnu" /usr/lib/x86_64-linux-gnu
for d in ${h.dirs}; do [ -d "$d" ] && mount -t tmpfs -o ro,size=4k hidden "$d"; done
if ${h.stillThere}; then echo "the hidden toolchain is still there" >&2; exit 1; fi
exec "$@"`;
}

/** ghc, gcc and binutils gone, with ghc's package database and /usr/include. */
export const HIDE_GHC_TOOLCHAIN = whiteOutScript({
  programs: '*gcc* *g++* cpp* *-cpp* cc c++ c89 c99 as *-as ld ld.* *-ld *-ld.* ghc* runghc* runhaskell* ghci* haddock* hsc2hs* hp2ps hpc',
  libraries: 'libffi.so* libbfd* libctf* libopcodes* libsframe* libisl.so* libmpc.so* libmpfr.so* libjansson.so*',
  dirs: '/usr/lib/gcc /usr/libexec/gcc /usr/lib/ghc /var/lib/ghc /usr/include',
  stillThere: ['gcc', 'x86_64-linux-gnu-gcc', 'as', 'ld', 'ghc'].map((p) => `${p} --version >/dev/null 2>&1`).join(' || ')
    + ' || [ -e /usr/lib/x86_64-linux-gnu/libffi.so.8 ] || [ -e /usr/include/stdio.h ] || [ -e /usr/lib/ghc/settings ]',
});
