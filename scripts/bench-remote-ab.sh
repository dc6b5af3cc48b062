#!/bin/bash
# Issue 16's remote-only warm build, A/B: the Lua corpus's warm build only (no cold builds in
# the rounds), for several configurations side by side, e.g. two reprise checkouts (before and
# after a change, each built with `npm run build`), reprise's local warm build, ccache's
# remote-only warm build and the floor (objects copied by a C stub). Each configuration fills
# its remote (or cache) once; then every round times one warm build of each, in the order
# given on odd rounds and reversed on even ones. A reprise remote configuration gets a fresh
# daemon and an empty local store before its build, and its daemon is stopped after it (so no
# ticket writing overlaps the next build); `local` keeps the daemon that filled it, as
# bench-remote.sh's reprise-local does. The daemon's CPU time during each build is recorded.
# Starts nginx and redis-server itself; the corpus is prepared under ROOT as bench-remote.sh does.
#   scripts/bench-remote-ab.sh ROOT ROUNDS NAME=CHECKOUT:KIND...
#   KIND: local | nginx | redis | ccache-nginx | ccache-redis | floor (CHECKOUT ignored for the last three)
#   e.g. scripts/bench-remote-ab.sh /tmp/rb 6 before=/tmp/before:nginx after=$PWD:nginx local=$PWD:local cc=-:ccache-nginx
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 ROOT ROUNDS NAME=CHECKOUT:KIND..." >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
R=$(mkdir -p "$1" && cd "$1" && pwd); rounds=$2; shift 2
export BENCH_DIR=$here/../shared/bench
. "$BENCH_DIR/lib.sh"
load_corpus lua5.4; set_root "$R"
[ -d "$SRC_DIR/$CORPUS_DIRNAME" ] || "$BENCH_DIR/prepare-corpus.sh" lua5.4 "$R"
srv=$R/ab-servers
. "$(dirname "$0")/bench-tools/start-cache-servers.sh"
declare -a NAMES CK KINDS
for c in "$@"; do NAMES+=("${c%%=*}"); r=${c#*=}; CK+=("${r%%:*}"); KINDS+=("${r#*:}"); done
cleanup() {
  for i in "${!NAMES[@]}"; do
    case ${KINDS[$i]} in ccache-*|floor) ;; *) env_for "$i"; node "${CK[$i]}/bin/reprise.js" daemon stop >/dev/null 2>&1 || true ;; esac
  done
  kill $npid $rpid 2>/dev/null || true
}
trap cleanup EXIT
sleep 1
env_for() { # index
  local n=${NAMES[$1]} k=${KINDS[$1]}
  unset REPRISE_REMOTE CCACHE_REMOTE_STORAGE CCACHE_DIR CCACHE_REMOTE_ONLY FLOOR_MODE FLOOR_STORE
  case $k in
    floor) export FLOOR_STORE=$R/cache/w-$n FLOOR_MODE=replay ;;
    ccache-*)
      export CCACHE_DIR=$R/cache/w-$n CCACHE_REMOTE_ONLY=true
      case $k in ccache-nginx) export CCACHE_REMOTE_STORAGE="http://127.0.0.1:$nport/ccache-$n|layout=bazel" ;; ccache-redis) export CCACHE_REMOTE_STORAGE="redis://127.0.0.1:$rport" ;; esac
      mkdir -p "$CCACHE_DIR" ;;
    *)
      export REPRISE_RUNTIME_DIR=$R/run/w-$n REPRISE_CACHE_DIR=$R/cache/w-$n REPRISE_BASE_DIR=$WORK_DIR
      # Each configuration its own Redis database (ccache's stay in 0): a checkout must read the entries it wrote itself.
      case $k in nginx) export REPRISE_REMOTE=http://127.0.0.1:$nport/reprise-$n ;; redis) export REPRISE_REMOTE=redis://127.0.0.1:$rport/$(( $1 % 15 + 1 )) ;; esac
      mkdir -p "$REPRISE_RUNTIME_DIR" "$REPRISE_CACHE_DIR"; chmod 700 "$REPRISE_RUNTIME_DIR" ;;
  esac
}
SHIMS=()
for i in "${!NAMES[@]}"; do
  s=$R/shims/w-${NAMES[$i]}; mkdir -p "$s"
  case ${KINDS[$i]} in
    ccache-*) for n in $SHIM_NAMES; do ln -sfn "$(command -v ccache)" "$s/$n"; done ;;
    floor) mkdir -p $R/shims/floor-bin; gcc -O2 -DREALDIR='"/usr/bin"' -o $R/shims/floor-bin/floor-cc "$BENCH_DIR/floor-cc.c"; for n in $SHIM_NAMES; do ln -sfn $R/shims/floor-bin/floor-cc "$s/$n"; done ;;
    *) node "${CK[$i]}/bin/reprise.js" shims install "$s" >/dev/null ;;
  esac
  SHIMS+=("$s")
  ensure_snapshot "$s"
done
rc() { node "${CK[$1]}/bin/reprise.js" "${@:2}"; }
# fill
for i in "${!NAMES[@]}"; do
  env_for "$i"; ensure_snapshot "${SHIMS[$i]}"; reset_tree
  case ${KINDS[$i]} in
    ccache-*) rm -rf "$CCACHE_DIR"; mkdir -p "$CCACHE_DIR" ;;
    floor) rm -rf "$FLOOR_STORE"; mkdir -p "$FLOOR_STORE"; export FLOOR_MODE=record ;;
    *) rc "$i" daemon stop >/dev/null 2>&1 || true; rm -rf "$REPRISE_CACHE_DIR"; mkdir -p "$REPRISE_CACHE_DIR"; rc "$i" daemon start >/dev/null 2>&1 || true ;;
  esac
  note "fill ${NAMES[$i]}: $(timed_build "${SHIMS[$i]}" $R/logs/w-fill-${NAMES[$i]}.log)s"
  case ${KINDS[$i]} in ccache-*|local|floor) ;; *) rc "$i" daemon stop >/dev/null 2>&1 || true ;; esac
done
out=$R/results/remote-ab.$(date -u +%Y%m%dT%H%M%SZ).csv
echo "round,config,seconds,load,daemon_ticks" > "$out"
order=("${!NAMES[@]}"); rev=(); for ((j=${#order[@]}-1; j>=0; j--)); do rev+=("${order[$j]}"); done
for r in $(seq 1 "$rounds"); do
  if (( r % 2 )); then seq_=("${order[@]}"); else seq_=("${rev[@]}"); fi
  for i in "${seq_[@]}"; do
    env_for "$i"; ensure_snapshot "${SHIMS[$i]}"; reset_tree
    case ${KINDS[$i]} in
      ccache-*) rm -rf "$CCACHE_DIR"; mkdir -p "$CCACHE_DIR"; ccache -z >/dev/null ;;
      local) rc "$i" stats --zero >/dev/null 2>&1 ;;
      floor) rm -f "$FLOOR_STORE/misses.log" ;;
      *) rc "$i" daemon stop >/dev/null 2>&1 || true; rm -rf "$REPRISE_CACHE_DIR"; mkdir -p "$REPRISE_CACHE_DIR"; rc "$i" daemon start >/dev/null 2>&1 || true; rc "$i" stats --zero >/dev/null 2>&1 ;;
    esac
    dpid=; c0=0
    case ${KINDS[$i]} in ccache-*|floor) ;; *) dpid=$(rc "$i" daemon status 2>/dev/null | sed -n 's/.*pid \([0-9]*\).*/\1/p'); c0=$(awk '{print $14+$15}' /proc/$dpid/stat) ;; esac
    s=$(timed_build "${SHIMS[$i]}" $R/logs/w-${NAMES[$i]}.r$r.log)
    l=$(cut -d' ' -f1 /proc/loadavg)
    cpu=0; [ -n "$dpid" ] && cpu=$(( $(awk '{print $14+$15}' /proc/$dpid/stat) - c0 ))
    echo "$r,${NAMES[$i]},$s,$l,$cpu" >> "$out"
    case ${KINDS[$i]} in ccache-*) ccache -s > $R/logs/w-${NAMES[$i]}.r$r.stats ;; floor) cat "$FLOOR_STORE/misses.log" > $R/logs/w-${NAMES[$i]}.r$r.stats 2>/dev/null || true ;; *) rc "$i" stats > $R/logs/w-${NAMES[$i]}.r$r.stats 2>&1 ;; esac
    case ${KINDS[$i]} in ccache-*|floor|local) ;; *) rc "$i" daemon stop >/dev/null 2>&1 || true ;; esac   # no ticket writing in the next config's build
    note "round $r ${NAMES[$i]}: ${s}s (load $l, daemon cpu ${cpu} ticks)"
  done
done
python3 - "$out" <<'PY'
import csv,sys,statistics as st
rows=list(csv.DictReader(open(sys.argv[1])))
by={}
cpu={}
for r in rows: by.setdefault(r['config'],[]).append(float(r['seconds'])); cpu.setdefault(r['config'],[]).append(int(r['daemon_ticks'])/100)
for k,v in by.items(): print(f"{k:20s} median {st.median(v):.3f}  min {min(v):.3f}  max {max(v):.3f}  n={len(v)}  daemon cpu median {st.median(cpu[k]):.2f}s")
PY
echo "csv: $out"
