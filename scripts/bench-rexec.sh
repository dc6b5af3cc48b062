#!/bin/bash
# Issue 17's benchmark: the Lua corpus's cold build local-only on one core against the same
# build with its misses sent to `reprise serve --execute` on the other core, side by side in
# one interleaved run. The build (make, libtool, the shims) and the local daemon are pinned to
# CPU 0 with taskset; the executor to CPU 1, with an empty store for every cold build (so the
# toolchain is uploaded in every cold build too).
#   scripts/bench-rexec.sh ROOT [ROUNDS [TOOL...]]
# Issue 17's acceptance figure (local-only on one core against auto with the executor, which
# has served a build before and so holds the toolchain: one upload per executor), with its
# tables printed at the end (scripts/rexec-summary.ts), as docs/benchmarks.md runs it:
#   BENCH_WARMUP=1 scripts/bench-rexec.sh ROOT 3 reprise-local1 reprise-seeded
#   tools: bare1 (bare compilers on CPU 0), reprise-local1 (reprise local-only on CPU 0),
#          reprise-auto and reprise-remote (REPRISE_EXECUTE=auto / remote, executor on CPU 1),
#          reprise-image (auto, with the executor's toolchain = "image": only the project travels),
#          reprise-seeded (auto, the executor's store seeded with the toolchains: scripts/bench-tools/rexec-common.sh),
#          reprise-trusted (seeded, the executor configured trusted: misses without a pre-pass, proven by its lookup trace),
#          reprise-local2 (reprise local-only on both CPUs, for reference)
#          (default: bare1 reprise-local1 reprise-auto reprise-remote)
#   make -j per tool: BENCH_JOBS_bare1, BENCH_JOBS_local1, BENCH_JOBS_auto, BENCH_JOBS_remote,
#   BENCH_JOBS_image, BENCH_JOBS_local2; the executor's --jobs: BENCH_EXEC_JOBS (defaults below, see
#   docs/benchmarks.md for why).
# Per-build statistics (reprise stats --json, with the executor's counters, the CPUs each
# process may use, the CPU time of the build, daemon and executor, make's -j and the load
# average) are in ROOT/logs/*.stats; scripts/rexec-summary.ts makes tables of them.
set -euo pipefail
checkout=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 ROOT [ROUNDS [TOOL...]]" >&2; exit 2; }
[ "$(nproc --all)" -ge 2 ] || { echo "$0: needs two CPUs" >&2; exit 2; }
root=$(mkdir -p "$1" && cd "$1" && pwd)
shift
rounds=${1:-3}; [ $# -gt 0 ] && shift
tools=("$@"); [ ${#tools[@]} -eq 0 ] && tools=(bare1 reprise-local1 reprise-auto reprise-remote)

bench="$root/bench"
rm -rf "$bench"
cp -a "$checkout/../shared/bench" "$bench"
chmod -R u+w "$bench"
cp "$checkout/scripts/bench-tools/rexec-common.sh" "$bench/tools/"
cp "$checkout/scripts/bench-tools/bare-1cpu.sh" "$bench/tools/bare1.sh"
for kind in local1 local2 auto remote image seeded trusted; do
  sed "s/\$REXEC_KIND/$kind/g" "$checkout/scripts/bench-tools/reprise-rexec.sh" > "$bench/tools/reprise-$kind.sh"
done
[ -d "$root/src/lua5.4-5.4.4" ] || "$bench/prepare-corpus.sh" lua5.4 "$root"

: "${BENCH_JOBS_bare1:=1}" "${BENCH_JOBS_local1:=2}" "${BENCH_JOBS_auto:=6}" "${BENCH_JOBS_remote:=4}" "${BENCH_JOBS_image:=6}" "${BENCH_JOBS_seeded:=6}" "${BENCH_JOBS_trusted:=6}" "${BENCH_JOBS_local2:=2}" "${BENCH_EXEC_JOBS:=1}"
export BENCH_JOBS_bare1 BENCH_JOBS_local1 BENCH_JOBS_auto BENCH_JOBS_remote BENCH_JOBS_image BENCH_JOBS_seeded BENCH_JOBS_trusted BENCH_JOBS_local2 BENCH_EXEC_JOBS
export BENCH_EXEC_DIR=$root/executor REPRISE_CHECKOUT=$checkout BENCH_CG_TAG=$$
BENCH_EXEC_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export BENCH_EXEC_PORT
mkdir -p "$BENCH_EXEC_DIR"
rm -rf "$BENCH_EXEC_DIR/seed"   # made again by the first seeded build: this checkout's toolchain digests
cleanup() {
  [ -f "$BENCH_EXEC_DIR/pid" ] && kill "$(cat "$BENCH_EXEC_DIR/pid")" 2>/dev/null
  [ -w "$cg" ] && echo $$ > "$cg/cgroup.procs" 2>/dev/null
  sleep 1; rmdir "$cg/bench-rexec-$BENCH_CG_TAG-core0" "$cg/bench-rexec-$BENCH_CG_TAG-exec" 2>/dev/null; true
}
trap cleanup EXIT
# Every build and daemon starts from this shell: in the cgroup that counts CPU 0's work from
# the start (rexec-common.sh; the executor moves to its own when it starts).
# The groups are this run's own (named by its pid): two runs at once must not count each other's work.
cg=/sys/fs/cgroup/cpuacct
[ -w "$cg" ] && mkdir -p "$cg/bench-rexec-$BENCH_CG_TAG-core0" 2>/dev/null && echo $$ > "$cg/bench-rexec-$BENCH_CG_TAG-core0/cgroup.procs" 2>/dev/null || true
echo "bench-rexec: make -j bare1=$BENCH_JOBS_bare1 local1=$BENCH_JOBS_local1 auto=$BENCH_JOBS_auto remote=$BENCH_JOBS_remote image=$BENCH_JOBS_image local2=$BENCH_JOBS_local2; executor --jobs $BENCH_EXEC_JOBS; loadavg $(cut -d' ' -f1-3 /proc/loadavg)" >&2
BENCH_DIR=$bench "$bench/bench.sh" lua5.4 "$root" "$rounds" "${tools[@]}"
echo "bench-rexec: loadavg at the end $(cut -d' ' -f1-3 /proc/loadavg)" >&2
csv=$(ls -t "$root"/results/lua5.4.*.csv 2>/dev/null | head -1)
[ -n "$csv" ] && [ -f "$checkout/dist/scripts/rexec-summary.js" ] && node "$checkout/dist/scripts/rexec-summary.js" "$csv"
true
