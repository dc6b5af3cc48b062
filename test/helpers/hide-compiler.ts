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
