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

/**
 * A script for `unshare -m sh -c HIDE_GHC_TOOLCHAIN sh SCRATCH_DIR COMMAND...`: in a private
 * mount namespace it removes ghc, gcc and binutils from the machine as an executor without them
 * would be: their programs in /usr/bin and the libraries only they use are whited out (an
 * overlay of character devices 0/0 over the directory, so that no file is left to find even
 * through another overlay, which a bind over each file would not give), and their private
 * directories, ghc's package database and /usr/include are empty read-only tmpfs. It checks
 * that none of them runs, then execs COMMAND.
 */
export const HIDE_GHC_TOOLCHAIN = `set -e
scratch=$1; shift
mount --make-rprivate /
mkdir -p "$scratch/bin" "$scratch/lib"
cd /usr/bin
for f in *gcc* *g++* cpp* *-cpp* cc c++ c89 c99 as *-as ld ld.* *-ld *-ld.* ghc* runghc* runhaskell* ghci* haddock* hsc2hs* hp2ps hpc; do
  if { [ -e "$f" ] || [ -L "$f" ]; } && [ ! -e "$scratch/bin/$f" ]; then mknod "$scratch/bin/$f" c 0 0; fi
done
cd /usr/lib/x86_64-linux-gnu
for f in libffi.so* libbfd* libctf* libopcodes* libsframe* libisl.so* libmpc.so* libmpfr.so* libjansson.so*; do
  if { [ -e "$f" ] || [ -L "$f" ]; } && [ ! -e "$scratch/lib/$f" ]; then mknod "$scratch/lib/$f" c 0 0; fi
done
cd /
mount -t overlay hidden -o "lowerdir=$scratch/bin:/usr/bin" /usr/bin
mount -t overlay hidden -o "lowerdir=$scratch/lib:/usr/lib/x86_64-linux-gnu" /usr/lib/x86_64-linux-gnu
for d in /usr/lib/gcc /usr/libexec/gcc /usr/lib/ghc /var/lib/ghc /usr/include; do [ -d "$d" ] && mount -t tmpfs -o ro,size=4k hidden "$d"; done
for p in gcc x86_64-linux-gnu-gcc as ld ghc; do if "$p" --version >/dev/null 2>&1; then echo "$p is still there" >&2; exit 1; fi; done
if [ -e /usr/lib/x86_64-linux-gnu/libffi.so.8 ] || [ -e /usr/include/stdio.h ] || [ -e /usr/lib/ghc/settings ]; then echo "the toolchain's files are still there" >&2; exit 1; fi
exec "$@"`;
