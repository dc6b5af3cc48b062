# shellcheck shell=bash
# The start the Lua benchmarks in scripts/ share: ../shared/bench/lib.sh (which sets JOBS,
# default 2), and the Lua corpus under ROOT, prepared there when it is not yet. Sourced,
# not run; sets `checkout` to this checkout.
checkout=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-$checkout/../shared/bench}
. "$BENCH_DIR/lib.sh"

lua_bench_start() { # USAGE ARGS...  (ARGS: the script's own, ROOT first)
  local usage=$1
  shift
  [ $# -ge 1 ] || die "usage: $usage"
  load_corpus lua5.4
  set_root "$1"
  [ -d "$SRC_DIR/$CORPUS_DIRNAME" ] || "$BENCH_DIR/prepare-corpus.sh" lua5.4 "$ROOT" || die "cannot prepare the corpus"
}
