# Tool template for reprise (copied as reprise-local.sh, reprise-nginx.sh and reprise-redis.sh
# by scripts/bench-remote.sh, with REMOTE_KIND replaced by the kind, since the harness shares one shell among its tools). Cold: empty local
# store and remote. Warm: the local store emptied again after the cold build's uploads
# drained (the daemon is stopped), so every hit comes from the remote; for `local`, the
# plain warm build. The harness keeps one environment for every tool, so each function
# sets this tool's variables first (a function named per kind: the harness renames tool_*), and the build after it inherits them.
TOOL_HAS_CACHE=1
. "$BENCH_DIR/tools/remote-common.sh"
reprise_cli() { node "$REPRISE_CHECKOUT/bin/reprise.js" "$@"; }
env_reprise_$REMOTE_KIND() {
  export REPRISE_RUNTIME_DIR=$ROOT/run/reprise-$REMOTE_KIND REPRISE_CACHE_DIR=$ROOT/cache/reprise-$REMOTE_KIND
  export REPRISE_BASE_DIR=$WORK_DIR
  unset REPRISE_REMOTE
  case $REMOTE_KIND in
    nginx) export REPRISE_REMOTE=$BENCH_NGINX_URL/reprise ;;
    redis) export REPRISE_REMOTE=redis://127.0.0.1:$BENCH_REDIS_PORT ;;
    serve_grpc) export REPRISE_REMOTE=grpc://127.0.0.1:$BENCH_SERVE_GRPC_PORT ;;
    serve_http) export REPRISE_REMOTE=http://127.0.0.1:$BENCH_SERVE_HTTP_PORT/cache ;;
  esac
  mkdir -p "$REPRISE_RUNTIME_DIR" "$REPRISE_CACHE_DIR"; chmod 700 "$REPRISE_RUNTIME_DIR"
}
tool_setup() {
  : "${REPRISE_CHECKOUT:=$PWD}"
  export REPRISE_CHECKOUT
  TOOL_SHIM=$ROOT/shims/reprise-$REMOTE_KIND
  mkdir -p "$TOOL_SHIM"
  reprise_cli shims install "$TOOL_SHIM" >/dev/null || die "reprise shims install failed"
}
tool_reset() {
  env_reprise_$REMOTE_KIND
  reprise_cli daemon stop >/dev/null 2>&1 || true
  rm -rf "$REPRISE_CACHE_DIR"; mkdir -p "$REPRISE_CACHE_DIR"
  case $REMOTE_KIND in local) ;; serve_*) remote_wipe serve ;; *) remote_wipe "$REMOTE_KIND" reprise ;; esac
  reprise_cli daemon start >/dev/null 2>&1 || true
}
tool_zero() {
  env_reprise_$REMOTE_KIND
  if [ "$REMOTE_KIND" != local ]; then
    reprise_cli daemon stop >/dev/null 2>&1 || true   # drains the uploads
    rm -rf "$REPRISE_CACHE_DIR"; mkdir -p "$REPRISE_CACHE_DIR"
    reprise_cli daemon start >/dev/null 2>&1 || true
  fi
  reprise_cli stats --zero >/dev/null 2>&1
}
tool_stats() { env_reprise_$REMOTE_KIND; reprise_cli stats; }
tool_teardown() { env_reprise_$REMOTE_KIND; reprise_cli daemon stop >/dev/null 2>&1 || true; }
