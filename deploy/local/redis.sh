# Redis 7 for deploy/local/services.sh (sourced; uses its helpers and settings).
#
# One server on 127.0.0.1:$REDIS_PORT, protected mode on, no persistence (a cache and a fan-out bus:
# everything in it can be rebuilt from PostgreSQL), run as the `redis` account when we are root.

REDIS_DIR="$STATE/redis"
REDIS_LOG="$LOGS/redis.log"

redis_account() {
    if ((EUID == 0)) && id redis >/dev/null 2>&1; then echo redis; else id -un; fi
}

redis_ready() { [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; }

redis_up() {
    apt_install redis-server redis-tools
    local account version
    account="$(redis_account)"
    version="$(redis-server --version | sed -n 's/.* v=\([0-9]*\)\..*/\1/p')"
    [[ "${version:-0}" -ge 7 ]] || die "Redis 7 or newer is needed; $(redis-server --version)"
    own_dir "$account" "$REDIS_DIR" 0750
    own_file "$account" "$REDIS_LOG"
    cat >"$REDIS_DIR/redis.conf" <<EOF
bind 127.0.0.1
port $REDIS_PORT
protected-mode yes
daemonize yes
pidfile $REDIS_DIR/redis.pid
logfile $REDIS_LOG
dir $REDIS_DIR
save ""
appendonly no
maxmemory 512mb
maxmemory-policy allkeys-lru
EOF
    if pid_alive "$REDIS_DIR/redis.pid"; then
        log "redis: already running on 127.0.0.1:$REDIS_PORT"
    else
        need_free_port "$REDIS_PORT" redis HIGHPIPE_REDIS_PORT
        as_user "$account" redis-server "$REDIS_DIR/redis.conf" 9>&- </dev/null >>"$REDIS_LOG" 2>&1 ||
            die "redis did not start (log: $REDIS_LOG)"
    fi
    wait_for "redis on 127.0.0.1:$REDIS_PORT" "$REDIS_LOG" redis_ready
}

redis_down() {
    if pid_alive "$REDIS_DIR/redis.pid"; then
        local pid
        pid="$(head -n1 "$REDIS_DIR/redis.pid")"
        kill -TERM "$pid"
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
        rm -f "$REDIS_DIR/redis.pid"
        log "redis: stopped"
    else
        log "redis: not running"
    fi
}

redis_status() {
    if pid_alive "$REDIS_DIR/redis.pid" && redis_ready; then
        echo "redis      up    127.0.0.1:$REDIS_PORT  $(redis-server --version | awk '{print $3}')"
    else
        echo "redis      down"
        return 1
    fi
}
