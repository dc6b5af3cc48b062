# Tool template for ccache with a remote only (copied as ccache-nginx.sh / ccache-redis.sh by
# scripts/bench-remote.sh, with REMOTE_KIND replaced by the kind, since the harness shares one shell among its tools): remote_only = true, so
# the warm build reads every result from the remote, as reprise's remote-only warm build
# does. Each function sets this tool's variables first (the harness shares one environment).
TOOL_HAS_CACHE=1
. "$BENCH_DIR/tools/remote-common.sh"
env_ccache_$REMOTE_KIND() {
  export CCACHE_DIR=$ROOT/cache/ccache-$REMOTE_KIND CCACHE_REMOTE_ONLY=true
  unset CCACHE_DISABLE CCACHE_RECACHE CCACHE_CONFIGPATH
  case $REMOTE_KIND in
    nginx) export CCACHE_REMOTE_STORAGE="$BENCH_NGINX_URL/ccache|layout=bazel" ;;
    redis) export CCACHE_REMOTE_STORAGE="redis://127.0.0.1:$BENCH_REDIS_PORT" ;;
  esac
  mkdir -p "$CCACHE_DIR"
}
tool_setup() {
  local n bin
  bin=$(command -v ccache) || die "ccache not installed"
  TOOL_SHIM=$ROOT/shims/ccache-$REMOTE_KIND
  mkdir -p "$TOOL_SHIM"
  for n in $SHIM_NAMES; do ln -sfn "$bin" "$TOOL_SHIM/$n"; done
}
tool_reset() { env_ccache_$REMOTE_KIND; rm -rf "$CCACHE_DIR"; mkdir -p "$CCACHE_DIR"; remote_wipe "$REMOTE_KIND" ccache; }
tool_zero() { env_ccache_$REMOTE_KIND; ccache -z >/dev/null; }
tool_stats() { env_ccache_$REMOTE_KIND; ccache -s; }
