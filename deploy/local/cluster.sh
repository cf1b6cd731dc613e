#!/usr/bin/env bash
# HighPipe as separate processes on loopback, on the services of deploy/local/services.sh (PostgreSQL via
# PgBouncer, Redis, Kafka): api x2, ws x1, worker crawl x2, analyze x2, sink x1, and the demo shop on its
# own port (allow-listed for the crawlers). Every process is `highpipe <role>` from the project's venv.
#
# Usage: deploy/local/cluster.sh up|down|restart|status|urls|start NAME...
#   up      start the services (unless HIGHPIPE_CLUSTER_SERVICES=0), then every process that is not running,
#           and wait until each answers its readiness check (idempotent); prints the URLs
#   start   start (and wait for) the named processes, e.g. `start analyze-3` adds a third analysis worker
#           on its port (BASE+40+2) with the same settings; `down` stops it with the others
#   down    SIGTERM to every process (graceful: in-flight work finishes or is handed back), SIGKILL after
#           HIGHPIPE_CLUSTER_STOP_TIMEOUT seconds; the services keep running (`make services-down`)
#   status  one line per process; exit 1 if any is down or not ready
#   urls    where to point a browser, a WebSocket client or Prometheus
#
# Files in $HIGHPIPE_CLUSTER_DIR (default $HIGHPIPE_SERVICES_DIR/cluster): run/<name>.pid, logs/<name>.log
# (JSON lines), cluster.env (the HIGHPIPE_* settings every process got, KEY='value' lines), uploads/ (shared
# by the API replicas and the crawl workers: HIGHPIPE_UPLOAD_DIR) and lake/.
#
# Settings (environment, with defaults):
#   HIGHPIPE_CLUSTER_PORT_BASE=18000  api-N on BASE+N-1, ws-N on BASE+10+N-1, the shop on BASE+20, and the
#       workers' /healthz,/readyz,/metrics on BASE+30+N-1 (crawl), BASE+40+N-1 (analyze), BASE+50+N-1 (sink)
#   HIGHPIPE_CLUSTER_APIS=2 HIGHPIPE_CLUSTER_WS=1 HIGHPIPE_CLUSTER_CRAWL=2 HIGHPIPE_CLUSTER_ANALYZE=2
#   HIGHPIPE_CLUSTER_SINK=1  (replicas per role, at most 10)
#   HIGHPIPE_CLUSTER_DATABASE=highpipe   the PostgreSQL database (through PgBouncer)
#   HIGHPIPE_CLUSTER_REDIS_DB=0          the Redis database number
#   HIGHPIPE_CLUSTER_DATABASE_URL / _CACHE_URL / _BUS_URL   whole URLs instead (default: built from the above)
#   HIGHPIPE_CLUSTER_BUS_QUERY=          Kafka URL options, e.g. topic_prefix=demo.&session_timeout_ms=6000
#   HIGHPIPE_CLUSTER_SERVICES=1          0: do not run services.sh up (the caller did)
#   HIGHPIPE_CLUSTER_PYTHON=<repo>/.venv/bin/python   HIGHPIPE_CLUSTER_TIMEOUT=120 (readiness, seconds)
#   HIGHPIPE_CLUSTER_STOP_TIMEOUT=30
# The service ports come from the same variables as services.sh (HIGHPIPE_PGBOUNCER_PORT, ...). Any other
# HIGHPIPE_* variable in the environment reaches every process unchanged (e.g. HIGHPIPE_MAX_REVIEWS).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
STATE="${HIGHPIPE_SERVICES_DIR:-$REPO/.services}"
DIR="${HIGHPIPE_CLUSTER_DIR:-$STATE/cluster}"
HOST=127.0.0.1
BASE="${HIGHPIPE_CLUSTER_PORT_BASE:-18000}"
PY="${HIGHPIPE_CLUSTER_PYTHON:-$REPO/.venv/bin/python}"
TIMEOUT="${HIGHPIPE_CLUSTER_TIMEOUT:-120}"
STOP_TIMEOUT="${HIGHPIPE_CLUSTER_STOP_TIMEOUT:-30}"
PGB_PORT="${HIGHPIPE_PGBOUNCER_PORT:-16432}"
REDIS_PORT="${HIGHPIPE_REDIS_PORT:-16379}"
KAFKA_PORT="${HIGHPIPE_KAFKA_PORT:-19092}"
PG_USER="${HIGHPIPE_PG_USER:-highpipe}"
PG_PASSWORD="${HIGHPIPE_PG_PASSWORD:-highpipe}"
SHOP_PORT=$((BASE + 20))

log() { printf 'cluster: %s\n' "$*" >&2; }
die() {
    printf 'cluster: ERROR: %s\n' "$*" >&2
    exit 1
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

# The processes, in start order: "name kind port" lines.
plan() {
    local i n off kind
    echo "shop shop $SHOP_PORT"
    for kind in sink analyze crawl api ws; do
        case "$kind" in
        api) n="${HIGHPIPE_CLUSTER_APIS:-2}" off=0 ;;
        ws) n="${HIGHPIPE_CLUSTER_WS:-1}" off=10 ;;
        crawl) n="${HIGHPIPE_CLUSTER_CRAWL:-2}" off=30 ;;
        analyze) n="${HIGHPIPE_CLUSTER_ANALYZE:-2}" off=40 ;;
        sink) n="${HIGHPIPE_CLUSTER_SINK:-1}" off=50 ;;
        esac
        ((n >= 0 && n <= 10)) || die "replicas of $kind must be 0..10 (got $n)"
        for ((i = 1; i <= n; i++)); do echo "$kind-$i $kind $((BASE + off + i - 1))"; done
    done
}

# The plan, plus any process started with `start` that still has a pid file.
known() {
    local planned pidfile name
    planned="$(plan)"
    echo "$planned"
    for pidfile in "$DIR"/run/*.pid; do
        [[ -e "$pidfile" ]] || continue
        name="$(basename "$pidfile" .pid)"
        grep -q "^$name " <<<"$planned" || entry_of "$name"
    done
}

offset_of() { # the port offset of a kind
    case "$1" in
    api) echo 0 ;; ws) echo 10 ;; shop) echo 20 ;; crawl) echo 30 ;; analyze) echo 40 ;; sink) echo 50 ;;
    *) return 1 ;;
    esac
}

entry_of() { # "kind-N" (N = 1..10) or "shop" -> "name kind port"
    local name="$1" kind n off
    if [[ "$name" == shop ]]; then
        echo "shop shop $SHOP_PORT"
        return 0
    fi
    kind="${name%-*}" n="${name##*-}"
    [[ "$n" =~ ^[0-9]+$ ]] && ((n >= 1 && n <= 10)) && off="$(offset_of "$kind")" ||
        die "not a process name: '$name' (api-N, ws-N, crawl-N, analyze-N, sink-N with N in 1..10, or shop)"
    echo "$name $kind $((BASE + off + n - 1))"
}

# The HIGHPIPE_* settings of every process (KEY='value' lines: `set -a; source` reads them, so do the tests).
write_env() {
    local query="${HIGHPIPE_CLUSTER_BUS_QUERY:-}" bus db cache
    bus="${HIGHPIPE_CLUSTER_BUS_URL:-kafka://$HOST:$KAFKA_PORT}"
    [[ -z "$query" ]] || bus="$bus$([[ "$bus" == *\?* ]] && echo '&' || echo '?')$query"
    db="${HIGHPIPE_CLUSTER_DATABASE_URL:-postgresql+asyncpg://$PG_USER:$PG_PASSWORD@$HOST:$PGB_PORT/${HIGHPIPE_CLUSTER_DATABASE:-highpipe}}"
    cache="${HIGHPIPE_CLUSTER_CACHE_URL:-redis://$HOST:$REDIS_PORT/${HIGHPIPE_CLUSTER_REDIS_DB:-0}}"
    mkdir -p "$DIR/uploads" "$DIR/lake"
    cat >"$DIR/cluster.env.tmp" <<EOF
HIGHPIPE_BUS_URL='$bus'
HIGHPIPE_DATABASE_URL='$db'
HIGHPIPE_CACHE_URL='$cache'
HIGHPIPE_UPLOAD_DIR='$DIR/uploads'
HIGHPIPE_LAKE_URL='$DIR/lake'
HIGHPIPE_ALLOW_HOSTS='$HOST:$SHOP_PORT,localhost:$SHOP_PORT'
HIGHPIPE_PUBLIC_URL='http://$HOST:$BASE'
HIGHPIPE_HOST='$HOST'
HIGHPIPE_LOG_FORMAT='json'
EOF
    mv "$DIR/cluster.env.tmp" "$DIR/cluster.env"
}

pid_of() { [[ -s "$DIR/run/$1.pid" ]] && head -n1 "$DIR/run/$1.pid"; }

# Alive and still ours (a recycled pid of another program does not count).
alive() {
    local pid
    pid="$(pid_of "$1")" || return 1
    kill -0 "$pid" 2>/dev/null && grep -qa highpipe "/proc/$pid/cmdline" 2>/dev/null
}

ready_url() { # name kind port
    case "$2" in
    shop) echo "http://$HOST:$3/demo/api/products" ;;
    *) echo "http://$HOST:$3/readyz" ;;
    esac
}

start_one() { # name kind port
    local name="$1" kind="$2" port="$3" args
    if alive "$name"; then
        log "$name: already running (pid $(pid_of "$name"))"
        return 0
    fi
    listening "$port" && die "port $port (for $name) is taken by another process; set HIGHPIPE_CLUSTER_PORT_BASE"
    case "$kind" in
    shop) args=(demo-shop --host "$HOST" --port "$port") ;;
    api | ws) args=("$kind" --host "$HOST" --port "$port") ;;
    *) args=(worker "$kind" --metrics-host "$HOST" --metrics-port "$port") ;;
    esac
    echo "--- $(date -u +%FT%TZ) start: highpipe ${args[*]}" >>"$DIR/logs/$name.log"
    # setsid + closed stdin: the process must not hold the caller's terminal or pipes (make, CI, pytest)
    # open. No job control here, so setsid execs in place and $! is the Python process's pid.
    (
        set -a
        # shellcheck source=/dev/null
        source "$DIR/cluster.env"
        set +a
        cd "$REPO"
        exec setsid "$PY" -m highpipe.entrypoints.cli "${args[@]}"
    ) 9>&- </dev/null >>"$DIR/logs/$name.log" 2>&1 &
    echo $! >"$DIR/run/$name.pid"
}

wait_ready() { # name kind port
    local name="$1" url deadline
    url="$(ready_url "$@")"
    deadline=$((SECONDS + TIMEOUT))
    until curl -fsS -o /dev/null --max-time 5 "$url" 2>/dev/null; do
        if ! alive "$name"; then
            tail -n 20 "$DIR/logs/$name.log" >&2 || true
            die "$name exited while starting (log: $DIR/logs/$name.log)"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 20 "$DIR/logs/$name.log" >&2 || true
            die "$name was not ready after ${TIMEOUT}s ($url; log: $DIR/logs/$name.log)"
        fi
        sleep 0.3
    done
}

urls() {
    local name kind port
    while read -r name kind port; do
        case "$kind" in
        api) printf '%-10s http://%s:%s/  (REST + WebSocket; API docs /docs)\n' "$name" "$HOST" "$port" ;;
        ws) printf '%-10s ws://%s:%s/ws/analyses/{id}?after=<seq>\n' "$name" "$HOST" "$port" ;;
        shop) printf '%-10s http://%s:%s/demo/  (e.g. /demo/products/tee)\n' shop "$HOST" "$port" ;;
        *) printf '%-10s http://%s:%s/metrics  (/healthz, /readyz)\n' "$name" "$HOST" "$port" ;;
        esac
    done < <(known)
    printf '%-10s %s/logs/\n' logs "$DIR"
}

up() {
    local start name kind port
    start=$(now)
    [[ -x "$PY" ]] || die "no Python at $PY: run \`make setup\` first (or set HIGHPIPE_CLUSTER_PYTHON)"
    if [[ "${HIGHPIPE_CLUSTER_SERVICES:-1}" == 1 ]]; then
        "$HERE/services.sh" up
    fi
    mkdir -p "$DIR/run" "$DIR/logs"
    write_env
    while read -r name kind port; do start_one "$name" "$kind" "$port"; done < <(plan)
    while read -r name kind port; do wait_ready "$name" "$kind" "$port"; done < <(plan)
    log "$(plan | wc -l) processes ready in $(elapsed "$start")s"
    urls
}

stop_all() { # stop every process with a pid file: highpipe first, the demo shop last
    local wave pidfile name pid deadline pids entry
    for wave in workers shop; do
        pids=()
        for pidfile in "$DIR"/run/*.pid; do
            [[ -e "$pidfile" ]] || continue
            name="$(basename "$pidfile" .pid)"
            [[ "$wave" == shop && "$name" != shop ]] && continue
            [[ "$wave" == workers && "$name" == shop ]] && continue
            if alive "$name"; then
                pid="$(pid_of "$name")"
                kill -TERM "$pid"
                pids+=("$name:$pid")
            else
                rm -f "$pidfile"
            fi
        done
        deadline=$((SECONDS + STOP_TIMEOUT))
        for entry in "${pids[@]}"; do
            name="${entry%%:*}" pid="${entry#*:}"
            while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
            if kill -0 "$pid" 2>/dev/null; then
                log "$name: no clean stop after ${STOP_TIMEOUT}s, killing"
                kill -KILL "$pid" 2>/dev/null || true
            fi
            rm -f "$DIR/run/$name.pid"
            log "$name: stopped"
        done
    done
}

status() {
    local bad=0 name kind port state
    while read -r name kind port; do
        if ! alive "$name"; then
            state=down bad=1
        elif curl -fsS -o /dev/null --max-time 5 "$(ready_url "$name" "$kind" "$port")" 2>/dev/null; then
            state="ready (pid $(pid_of "$name"))"
        else
            state="not ready (pid $(pid_of "$name"))" bad=1
        fi
        printf '%-10s %-8s %s:%s  %s\n' "$name" "$kind" "$HOST" "$port" "$state"
    done < <(known)
    return "$bad"
}

main() {
    local cmd="${1:-}" name
    [[ -n "$cmd" ]] || die "usage: $0 up|down|restart|status|urls"
    case "$cmd" in
    up | down | restart | start)
        mkdir -p "$DIR"
        exec 9>"$DIR/.lock"
        flock -w "$TIMEOUT" 9 || die "another cluster.sh holds $DIR/.lock"
        ;;
    esac
    case "$cmd" in
    up | down | restart)
        [[ "$cmd" == up ]] || stop_all
        [[ "$cmd" == down ]] || up
        ;;
    start)
        shift
        (($#)) || die "usage: $0 start NAME... (e.g. analyze-3)"
        [[ -s "$DIR/cluster.env" ]] || die "no $DIR/cluster.env: run \`$0 up\` first"
        mkdir -p "$DIR/run" "$DIR/logs"
        local entries=() entry
        for name in "$@"; do entries+=("$(entry_of "$name")"); done
        for entry in "${entries[@]}"; do start_one $entry; done
        for entry in "${entries[@]}"; do wait_ready $entry; done
        log "ready: $*"
        ;;
    status) status ;;
    urls) urls ;;
    *) die "unknown command '$cmd'" ;;
    esac
}

main "$@"
