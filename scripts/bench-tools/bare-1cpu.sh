# Tool: the bare compilers with the build pinned to CPU 0 (make -j$BENCH_JOBS_bare1), for
# scripts/bench-rexec.sh: the reference for one core.
. "$BENCH_DIR/tools/rexec-common.sh"
tool_setup() { TOOL_SHIM=$ROOT/shims/bare; mkdir -p "$TOOL_SHIM"; }
tool_zero() { pin_cpus 0; JOBS=$BENCH_JOBS_bare1; cpu_mark; }
tool_stats() { cpu_report; echo "make -j$JOBS; loadavg $(cut -d' ' -f1-3 /proc/loadavg)"; }
