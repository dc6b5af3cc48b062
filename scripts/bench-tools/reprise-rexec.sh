# Tool template for reprise with remote execution (copied per configuration by
# scripts/bench-rexec.sh as reprise-$REXEC_KIND.sh, with REXEC_KIND replaced: local1, auto,
# remote, image, seeded, trusted; local2 is the same daemon unpinned, for reference). `image` is `auto` with the
# executor's `toolchain = "image"` (a config file: REPRISE_EXECUTOR takes no settings); the
# executor's sandbox shows the host's /usr, so it has this host's gcc as an image would. The build and the daemon are
# pinned to CPU 0; `auto` and `remote` send misses to `reprise serve --execute` pinned to
# CPU 1, restarted with an empty store for every cold build (`seeded`: auto, with the store of an
# executor that has served one build before, so the toolchains are on it already; `trusted`: seeded, with the executor
# configured `trusted = true`, so misses go without a pre-pass, proven by its lookup trace). Each configuration has its own
# make -j (BENCH_JOBS_$REXEC_KIND), set just before each of its builds.
# Cold: empty local store and executor store. Warm: the plain local warm build (no executor call).
TOOL_HAS_CACHE=1
. "$BENCH_DIR/tools/rexec-common.sh"
reprise_cli() { node "$REPRISE_CHECKOUT/bin/reprise.js" "$@"; }
# The caller's config file (captured before any kind changes it: every tool runs in one shell), which every kind but image uses.
[ -z "${REXEC_CALLER_CONFIG+x}" ] && REXEC_CALLER_CONFIG=${REPRISE_CONFIG-}
env_rexec_$REXEC_KIND() {
  export REPRISE_RUNTIME_DIR=$ROOT/run/reprise-$REXEC_KIND REPRISE_CACHE_DIR=$ROOT/cache/reprise-$REXEC_KIND
  export REPRISE_BASE_DIR=$WORK_DIR
  unset REPRISE_EXECUTOR REPRISE_EXECUTE REPRISE_REMOTE
  if [ -n "$REXEC_CALLER_CONFIG" ]; then export REPRISE_CONFIG=$REXEC_CALLER_CONFIG; else unset REPRISE_CONFIG; fi
  mkdir -p "$ROOT/run"
  case $REXEC_KIND in
    auto|remote) export REPRISE_EXECUTOR=grpc://127.0.0.1:$BENCH_EXEC_PORT REPRISE_EXECUTE=$REXEC_KIND ;;
    seeded) export REPRISE_EXECUTOR=grpc://127.0.0.1:$BENCH_EXEC_PORT REPRISE_EXECUTE=auto ;;
    image)
      export REPRISE_CONFIG=$ROOT/run/reprise-image.toml REPRISE_EXECUTE=auto
      printf '[[executor]]\nurl = "grpc://127.0.0.1:%s"\ntoolchain = "image"\n' "$BENCH_EXEC_PORT" > "$REPRISE_CONFIG" ;;
    trusted)
      export REPRISE_CONFIG=$ROOT/run/reprise-trusted.toml REPRISE_EXECUTE=auto
      printf '[[executor]]\nurl = "grpc://127.0.0.1:%s"\ntrusted = true\n' "$BENCH_EXEC_PORT" > "$REPRISE_CONFIG" ;;
  esac
  case $REXEC_KIND in local2) pin_cpus 0,1 ;; *) pin_cpus 0 ;; esac
  JOBS=$BENCH_JOBS_$REXEC_KIND
  mkdir -p "$REPRISE_RUNTIME_DIR" "$REPRISE_CACHE_DIR"; chmod 700 "$REPRISE_RUNTIME_DIR"
}
tool_setup() {
  TOOL_SHIM=$ROOT/shims/reprise-$REXEC_KIND
  mkdir -p "$TOOL_SHIM"
  reprise_cli shims install "$TOOL_SHIM" >/dev/null || die "reprise shims install failed"
}
tool_reset() {
  env_rexec_$REXEC_KIND
  reprise_cli daemon stop >/dev/null 2>&1 || true
  rm -rf "$REPRISE_CACHE_DIR"; mkdir -p "$REPRISE_CACHE_DIR"
  case $REXEC_KIND in auto|remote|image) exec_restart ;; seeded|trusted) exec_seed "$ROOT/shims/reprise-$REXEC_KIND"; exec_restart seeded ;; esac
  reprise_cli daemon start >/dev/null 2>&1 || true   # from the pinned shell: the daemon inherits its CPUs
}
tool_zero() { env_rexec_$REXEC_KIND; reprise_cli stats --zero >/dev/null 2>&1; cpu_mark; }
tool_stats() {
  env_rexec_$REXEC_KIND
  reprise_cli stats --json
  reprise_cli daemon status > "$BENCH_EXEC_DIR/.status" 2>&1
  local pid; pid=$(sed -n 's/.*pid \([0-9]*\).*/\1/p' "$BENCH_EXEC_DIR/.status" | head -1)
  [ -n "$pid" ] && echo "daemon $(taskset -pc "$pid")"
  # The daemon and executor are fresh for a cold build: their CPU is that build's.
  case $REXEC_KIND in auto|remote|image|seeded|trusted) cpu_report "$pid" with-executor ;; *) cpu_report "$pid" ;; esac
  [ -f "$BENCH_EXEC_DIR/pid" ] && echo "executor $(taskset -pc "$(cat "$BENCH_EXEC_DIR/pid")")"
  echo "make -j$JOBS; loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
}
tool_teardown() { env_rexec_$REXEC_KIND; reprise_cli daemon stop >/dev/null 2>&1 || true; exec_stop; }
