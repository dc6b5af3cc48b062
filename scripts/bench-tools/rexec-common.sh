# Shared by the remote-execution bench tools (scripts/bench-rexec.sh): CPU pinning and the executor.
# BENCH_EXEC_DIR, BENCH_EXEC_PORT, BENCH_EXEC_JOBS and REPRISE_CHECKOUT are set by bench-rexec.sh.
# The harness runs every tool in one shell: pinning that shell pins the build (make, libtool,
# the shims) and the daemon, which the tool's reset starts from it. CPU 0 is the build's.
pin_cpus() { taskset -pc "$1" $$ >/dev/null || die "taskset $1 failed"; }
# A fresh executor (empty store: a cold build sends the toolchain too) on CPU 1 only.
exec_restart() {
  exec_stop
  rm -rf "$BENCH_EXEC_DIR/store"
  taskset -c 1 node "$REPRISE_CHECKOUT/bin/reprise.js" serve --dir "$BENCH_EXEC_DIR/store" --max-size 0 \
    --listen "127.0.0.1:$BENCH_EXEC_PORT" --execute --jobs "$BENCH_EXEC_JOBS" >"$BENCH_EXEC_DIR/log" 2>&1 &
  echo $! > "$BENCH_EXEC_DIR/pid"
  local i; for i in $(seq 100); do grep -q 'listening on' "$BENCH_EXEC_DIR/log" 2>/dev/null && return 0; sleep 0.1; done
  die "reprise serve --execute did not start: $(cat "$BENCH_EXEC_DIR/log")"
}
exec_stop() {
  [ -f "$BENCH_EXEC_DIR/pid" ] || return 0
  local pid; pid=$(cat "$BENCH_EXEC_DIR/pid"); rm -f "$BENCH_EXEC_DIR/pid"
  kill "$pid" 2>/dev/null || return 0
  local i; for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
}
