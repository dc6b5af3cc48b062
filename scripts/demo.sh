#!/bin/bash
# The quick start's build: the bundled example through `reprise exec`, cold and then warm
# (after make clean), with the counters after each. The cache is the user's own, so the
# first build is cold only the first time; REPRISE_CACHE_DIR=$(mktemp -d) forces it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
reprise() { node "$root/bin/reprise.js" "$@"; }
cd "$root/examples/hello-c"
# Results are stored only when a sandbox has checked them; without bubblewrap nothing
# would be, so say so and let this demo store unchecked results instead.
if ! command -v bwrap >/dev/null; then
  echo "note: bubblewrap is not installed (apt-get install bubblewrap); this demo runs with REPRISE_SANDBOX=off"
  export REPRISE_SANDBOX=off
  reprise daemon stop >/dev/null 2>&1 || true
fi
reprise stats --zero >/dev/null
make -s clean
echo "== cold build: reprise exec -- make -j2"
time reprise exec -- make -j2
reprise stats
make -s clean
echo
echo "== warm rebuild after make clean: reprise exec -- make -j2"
time reprise exec -- make -j2
./hello
reprise stats
