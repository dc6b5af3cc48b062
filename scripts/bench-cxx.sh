#!/bin/bash
# The C++ corpus (issue 15: a header-heavy C++ build's cold time against bare): the shared
# harness (../shared/bench) run over a corpus this repository defines
# (scripts/corpora/taglib.sh). The harness is copied beside ROOT with the corpus added, since
# shared/ is not ours to write.
#   scripts/bench-cxx.sh ROOT [ROUNDS [TOOL...]]     (default: 3 rounds, bare ccache reprise)
set -euo pipefail
checkout=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 ROOT [ROUNDS [TOOL...]]" >&2; exit 2; }
root=$(mkdir -p "$1" && cd "$1" && pwd)
shift
bench="$root/bench"
rm -rf "$bench"
cp -a "$checkout/../shared/bench" "$bench"
chmod -R u+w "$bench"
cp "$checkout/scripts/corpora/"*.sh "$bench/corpora/"
[ -d "$root/src/taglib-1.13" ] || "$bench/prepare-corpus.sh" --install-deps taglib "$root"
REPRISE_CHECKOUT=$checkout BENCH_DIR=$bench exec "$bench/bench.sh" taglib "$root" "${1:-3}" "${@:2}"
