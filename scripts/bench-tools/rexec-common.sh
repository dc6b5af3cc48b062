# Shared by the remote-execution bench tools (scripts/bench-rexec.sh): CPU pinning, the
# executor, and CPU accounting. BENCH_EXEC_DIR, BENCH_EXEC_PORT, BENCH_EXEC_JOBS and
# REPRISE_CHECKOUT are set by bench-rexec.sh.
# The harness runs every tool in one shell: pinning that shell pins the build (make, libtool,
# the shims) and the daemon, which the tool's reset starts from it. CPU 0 is the build's.
pin_cpus() { taskset -pc "$1" $$ >/dev/null || die "taskset $1 failed"; }
# A fresh executor on CPU 1 only: with an empty store (a cold build sends the toolchain too),
# or with `seeded`, a copy of the seed store (exec_seed).
exec_restart() {
  exec_stop
  rm -rf "$BENCH_EXEC_DIR/store"
  [ "${1:-}" = seeded ] && cp -a "$BENCH_EXEC_DIR/seed" "$BENCH_EXEC_DIR/store"
  # BENCH_EXEC_NODE_ARGS: node options for the executor only (e.g. --cpu-prof --cpu-prof-dir=DIR).
  # shellcheck disable=SC2086
  taskset -c 1 node ${BENCH_EXEC_NODE_ARGS:-} "$REPRISE_CHECKOUT/bin/reprise.js" serve --dir "$BENCH_EXEC_DIR/store" --max-size 0 \
    --listen "127.0.0.1:$BENCH_EXEC_PORT" --execute --jobs "$BENCH_EXEC_JOBS" >"$BENCH_EXEC_DIR/log" 2>&1 &
  echo $! > "$BENCH_EXEC_DIR/pid"
  cg_join exec $!
  local i; for i in $(seq 100); do grep -q 'listening on' "$BENCH_EXEC_DIR/log" 2>/dev/null && return 0; sleep 0.1; done
  die "reprise serve --execute did not start: $(cat "$BENCH_EXEC_DIR/log")"
}
# The seed: an executor's store after it has served one earlier build, a compile of an empty C
# and an empty C++ file sent by a daemon of its own (REPRISE_EXECUTE=remote). It holds the
# toolchains and those two results and nothing of the corpus, so every corpus compile is still
# executed: the state of an executor that has run a build before (the issue's "one upload per
# executor"), made once per run.
exec_seed() { # SHIM_DIR: the kind's shims (gcc, g++)
  [ -d "$BENCH_EXEC_DIR/seed" ] && return 0
  exec_restart
  local tmp=$BENCH_EXEC_DIR/seeding
  rm -rf "$tmp"; mkdir -p "$tmp/run" "$tmp/cache" "$tmp/src"; chmod 700 "$tmp/run"
  printf 'int main(void) { return 0; }\n' > "$tmp/src/seed.c"; cp "$tmp/src/seed.c" "$tmp/src/seed.cc"
  (
    export REPRISE_RUNTIME_DIR=$tmp/run REPRISE_CACHE_DIR=$tmp/cache REPRISE_EXECUTE=remote \
      REPRISE_EXECUTOR=grpc://127.0.0.1:$BENCH_EXEC_PORT
    unset REPRISE_CONFIG
    cd "$tmp/src" && PATH=$1:$PATH && gcc -O2 -c seed.c && g++ -O2 -c seed.cc
    reprise_cli stats --json > "$tmp/stats.json"
    reprise_cli daemon stop >/dev/null 2>&1 || true
  ) || die "seeding the executor failed"
  grep -q '"completed": *2' "$tmp/stats.json" || die "seeding the executor: the two compiles did not complete remotely ($tmp/stats.json)"
  exec_stop
  mv "$BENCH_EXEC_DIR/store" "$BENCH_EXEC_DIR/seed"
}
exec_stop() {
  [ -f "$BENCH_EXEC_DIR/pid" ] || return 0
  local pid; pid=$(cat "$BENCH_EXEC_DIR/pid"); rm -f "$BENCH_EXEC_DIR/pid"
  kill "$pid" 2>/dev/null || return 0
  local i; for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
}
# CPU seconds of a process tree: the process's own (user+system), and its descendants' (the
# living ones' own plus everything each has reaped: the daemon's compiles are reaped by its
# long-lived spawner, not by the daemon), from /proc/PID/stat.
proc_cpu() { # PID -> "self descendants"
  local tck; tck=$(getconf CLK_TCK)
  ps -e -o pid= -o ppid= | awk -v root="$1" -v t="$tck" '
    { parent[$1] = $2 }
    function cpu(pid, own,   f, line, a) {
      f = "/proc/" pid "/stat"; line = ""
      if ((getline line < f) <= 0) return 0
      close(f); sub(/^.*\) /, "", line); split(line, a, " ")
      return own ? a[12] + a[13] : a[14] + a[15]
    }
    function under(pid) { while (pid in parent && pid != 1) { if (parent[pid] == root) return 1; pid = parent[pid] } return 0 }
    END {
      self = cpu(root, 1); rest = cpu(root, 0)
      for (p in parent) if (under(p)) rest += cpu(p, 1) + cpu(p, 0)
      printf "%.2f %.2f\n", self / t, rest / t
    }'
}
# The harness's shell reaps every build, so its children's CPU grows by each build's make,
# libtool, shims and links (and compiles, for bare): sampled before and after each build.
# `times` runs in this shell itself, not in a subshell (whose children are its own).
children_cpu() { # -> CPU_NOW
  times > "$BENCH_EXEC_DIR/.times"
  CPU_NOW=$(awk 'NR == 2 { gsub(/[ms]/, " "); print $1 * 60 + $2 + $3 * 60 + $4 }' "$BENCH_EXEC_DIR/.times")
}
# cgroup v1 cpuacct groups (when this machine has them, and we may make them): `core0` holds
# the harness's shell and so every build and daemon it starts, `exec` the executor and its
# actions (named by the harness's pid, BENCH_CG_TAG). They count CPU that /proc misses: actions in bubblewrap's pid namespace are never
# reaped by the server. cpuacct.usage is in nanoseconds.
CG_ROOT=/sys/fs/cgroup/cpuacct
cg_dir() { echo "$CG_ROOT/bench-rexec-${BENCH_CG_TAG:-0}-$1"; }
cg_join() { # NAME PID
  [ -w "$CG_ROOT" ] || return 0
  mkdir -p "$(cg_dir "$1")" 2>/dev/null && echo "$2" > "$(cg_dir "$1")/cgroup.procs" 2>/dev/null || true
}
cg_usage() { cat "$(cg_dir "$1")/cpuacct.usage" 2>/dev/null || echo 0; }
cpu_mark() {
  children_cpu; CPU_MARK=$CPU_NOW
  [ -d "$(cg_dir core0)" ] || cg_join core0 $$
  CG_MARK0=$(cg_usage core0) CG_MARK1=$(cg_usage exec)
}
cpu_report() { # [DAEMON_PID [with-executor]]: a line of CPU seconds for the build just timed
  children_cpu
  local line="cpu: build tool (make, libtool, shims, links; bare: the compiles too) $(echo "$CPU_NOW - ${CPU_MARK:-0}" | bc) s"
  [ -n "${1:-}" ] && line="$line; daemon self+descendants $(proc_cpu "$1")"
  [ -n "${2:-}" ] && [ -f "$BENCH_EXEC_DIR/pid" ] && line="$line; executor self+descendants $(proc_cpu "$(cat "$BENCH_EXEC_DIR/pid")")"
  echo "$line"
  [ -d "$(cg_dir core0)" ] && echo "cgroup cpu: core0 group $(echo "scale=2; ($(cg_usage core0) - $CG_MARK0) / 10^9" | bc) s; exec group $(echo "scale=2; ($(cg_usage exec) - ${CG_MARK1:-0}) / 10^9" | bc) s"
  true
}
