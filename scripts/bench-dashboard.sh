#!/bin/bash
# Issue 20's benchmark: does an open dashboard cost the build anything? The Lua corpus's warm
# build (make -j2 through `reprise exec`), interleaved per round: `without`, a fresh daemon
# that never served the dashboard, and `with`, a fresh daemon whose dashboard page is open in
# headless chromium (scripts/open-dashboard.ts) for the whole build. Both stop the daemon
# first, so every hit of both goes through the daemon (tickets go with a stopped daemon).
# A third, `stream`, has only curl read the page's event stream: the daemon's own cost,
# without a browser drawing on the same two cores.
#   scripts/bench-dashboard.sh ROOT [ROUNDS]     (prints a table; the log under ROOT/dashboard-bench)
set -euo pipefail
. "$(dirname "$0")/lua-bench.sh"
lua_bench_start "$0 ROOT [ROUNDS]" "$@"
rounds=${2:-5}
export BENCH_DIR
out=$ROOT/dashboard-bench
rm -rf "$out"; mkdir -p "$out"
export REPRISE_RUNTIME_DIR=$out/run REPRISE_CACHE_DIR=$out/cache REPRISE_CONFIG=$out/config.toml
cli=(node "$checkout/bin/reprise.js")
bare_shims=$ROOT/shims/empty
mkdir -p "$bare_shims"
ensure_snapshot "$bare_shims"

# The daemon's CPU time so far (user + system, seconds): a figure the other sessions' load
# on the same cores disturbs far less than wall time.
daemon_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$(cat "$REPRISE_RUNTIME_DIR/daemon.pid")/stat" 2>/dev/null || echo 0; }

build() { # prints the wall time of one warm build and the daemon's CPU time during it
  reset_tree
  local t0 t1 c0 c1
  c0=$(daemon_cpu)
  t0=$(date +%s.%N)
  (cd "$WORK_DIR" && "${cli[@]}" exec -- bash -c '. "$BENCH_DIR/lib.sh"; load_corpus lua5.4; corpus_build') >>"$out/build.log" 2>&1
  t1=$(date +%s.%N)
  c1=$(daemon_cpu)
  printf '%.3f %.2f' "$(echo "$t1 - $t0" | bc)" "$(echo "$c1 - $c0" | bc)"
}
# A fresh daemon, given time to measure its store and settle (the page's start takes as long).
fresh_daemon() { "${cli[@]}" daemon stop >/dev/null; "${cli[@]}" daemon start >/dev/null; sleep 4; }

note "cold build (fills the cache)"
fresh_daemon
build >/dev/null
for r in $(seq 1 "$rounds"); do
  fresh_daemon
  echo "without $(build) $(cut -d' ' -f1 /proc/loadavg)" >>"$out/times"
  fresh_daemon
  url=$("${cli[@]}" dashboard --url)
  node "$checkout/dist/scripts/open-dashboard.js" "$url" >"$out/page.$r" 2>&1 &
  page=$!
  until grep -q open "$out/page.$r" 2>/dev/null; do sleep 0.2; done
  echo "with $(build) $(cut -d' ' -f1 /proc/loadavg)" >>"$out/times"
  kill "$page"; wait "$page" || true
  # The daemon's side alone: its event stream read by curl, no browser drawing.
  fresh_daemon
  url=$("${cli[@]}" dashboard --url)
  curl -sN "${url%%\?*}events?${url#*\?}" >"$out/stream.$r" &
  stream=$!
  echo "stream $(build) $(cut -d' ' -f1 /proc/loadavg)" >>"$out/times"
  kill "$stream"; wait "$stream" || true
  note "round $r: $(tail -3 "$out/times" | tr '\n' ' ') (page: $(grep ticks "$out/page.$r"), stream: $(grep -c '^event: tick' "$out/stream.$r") ticks)"
done
"${cli[@]}" daemon stop >/dev/null
echo "| config | rounds | wall median s | wall min-max s | daemon CPU median s | daemon CPU min-max s | load avg (1 min) after each build |"
echo "|---|---|---|---|---|---|---|"
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.3f", (v[int((NR + 1) / 2)] + v[int(NR / 2) + 1]) / 2 }'; }
for mode in without with stream; do
  label=$mode; [ "$mode" = without ] && label='no dashboard'; [ "$mode" = with ] && label='dashboard open in chromium'; [ "$mode" = stream ] && label='dashboard stream read by curl'
  col() { awk -v m="$mode" -v c="$1" '$1 == m { print $c }' "$out/times"; }
  n=$(col 2 | wc -l)
  echo "| $label | $n | $(col 2 | median) | $(col 2 | sort -n | head -1)-$(col 2 | sort -n | tail -1) | $(col 3 | median) | $(col 3 | sort -n | head -1)-$(col 3 | sort -n | tail -1) | $(col 4 | tr '\n' ' ')|"
done
