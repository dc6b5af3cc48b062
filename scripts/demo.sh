#!/bin/bash
# The quick start's build: the bundled example through `reprise exec`, twice (a clean
# build, then a clean rebuild), with the counters after each.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
reprise() { node "$root/bin/reprise.js" "$@"; }
cd "$root/examples/hello-c"
reprise stats --zero >/dev/null
make -s clean
echo "== first build: reprise exec -- make -j2"
time reprise exec -- make -j2
reprise stats
make -s clean
echo
echo "== clean rebuild: reprise exec -- make -j2"
time reprise exec -- make -j2
./hello
reprise stats
