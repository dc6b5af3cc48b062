# Shared by the remote-cache bench tools (scripts/bench-remote.sh): wiping a remote.
# BENCH_NGINX_ROOT, BENCH_NGINX_URL and BENCH_REDIS_PORT are set by bench-remote.sh.
remote_wipe() { # nginx NAMESPACE | redis
  case $1 in
    nginx) rm -rf "${BENCH_NGINX_ROOT:?}/$2" ;;
    redis) redis-cli -p "$BENCH_REDIS_PORT" flushall >/dev/null ;;
  esac
}
