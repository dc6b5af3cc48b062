#!/bin/bash
# Rebuilds in place (docs/benchmarks.md, "Hit tickets"): for each tool in turn, empty its
# cache, build the Lua corpus cold, delete every file the build created (the sources keep
# their inodes, as `make clean` leaves them), and build again with the cache the cold build
# filled. ../shared/bench/bench.sh times its warm build on a fresh copy of the tree instead,
# where every inode is new.
# usage: scripts/bench-inplace.sh ROOT [ROUNDS [TOOL...]]   (tools: names of ../shared/bench/tools/*.sh with a cache; default ccache reprise)
# Writes ROOT/results/inplace.<stamp>.{csv,md} and prints the summary.
set -u
. "$(dirname "$0")/lua-bench.sh"
lua_bench_start "bench-inplace.sh ROOT [ROUNDS [TOOL...]]" "$@"
rounds=${2:-3}; shift $(($# >= 2 ? 2 : 1))
tools=("$@"); [ ${#tools[@]} -eq 0 ] && tools=(ccache reprise)
export REPRISE_CHECKOUT=${REPRISE_CHECKOUT:-$checkout}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
csv=$RESULTS_DIR/inplace.$stamp.csv
echo "round,config,seconds" > "$csv"
list=$ROOT/logs/inplace.$stamp.files
for r in $(seq "$rounds"); do
  for t in "${tools[@]}"; do
    ( # each tool in a subshell: load_tool defines the same function names for every tool
      load_tool "$t"; tool_setup >/dev/null 2>&1; ensure_snapshot "$TOOL_SHIM"
      tool_reset >/dev/null 2>&1
      reset_tree
      (cd "$WORK_DIR" && find . -mindepth 1 | sort > "$list.before")
      c=$(timed_build "$TOOL_SHIM" "$LOG_DIR/inplace.$stamp.$t-cold.r$r.log") || die "$t cold build failed"
      # Everything the build made goes, deepest first; directories it made go when empty.
      (cd "$WORK_DIR" && find . -mindepth 1 | sort > "$list.after" \
        && comm -13 "$list.before" "$list.after" | sort -r | while read -r f; do
             if [ -d "$f" ]; then rmdir "$f" 2>/dev/null || true; else rm -f "$f"; fi
           done)
      w=$(timed_build "$TOOL_SHIM" "$LOG_DIR/inplace.$stamp.$t-warm.r$r.log") || die "$t in-place build failed"
      printf '%s,%s-cold,%s\n%s,%s-inplace-warm,%s\n' "$r" "$t" "$c" "$r" "$t" "$w" >> "$csv"
      tool_stats > "$LOG_DIR/inplace.$stamp.$t.r$r.stats" 2>&1
      note "round $r $t: cold ${c}s, in place ${w}s"
      tool_teardown >/dev/null 2>&1 || true
    )
  done
done
rm -f "$list.before" "$list.after"
SUMMARY_UNIT=s "$BENCH_DIR/summarize.sh" "$csv" | tee "$RESULTS_DIR/inplace.$stamp.md"
echo "(csv: $csv)"
