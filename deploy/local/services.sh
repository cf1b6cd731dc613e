#!/usr/bin/env bash
# Local backing services for HighPipe's scale-out mode, on loopback only:
#   PostgreSQL 15 (Debian package), PgBouncer in transaction mode in front of it, Redis 7 (Debian package),
#   and an Apache Kafka 4.x broker in KRaft mode (combined broker + controller) from Maven Central jars.
#
# Usage: deploy/local/services.sh up|down|restart|status|urls [postgres|pgbouncer|redis|kafka ...]
#   up      install what is missing, then start (idempotent: running services are left alone)
#   down    stop (data is kept; `clean` removes it)
#   clean   stop, then delete the state folder
#   status  one line per service; exit 1 if any is down
#   urls    the URLs the tests read, as shell assignments
#
# Settings (environment, with defaults):
#   HIGHPIPE_SERVICES_DIR=<repo>/.services   data, configs, pid files; logs in $HIGHPIPE_SERVICES_DIR/logs
#   HIGHPIPE_PG_PORT=15432  HIGHPIPE_PGBOUNCER_PORT=16432  HIGHPIPE_REDIS_PORT=16379
#   HIGHPIPE_KAFKA_PORT=19092  HIGHPIPE_KAFKA_CONTROLLER_PORT=19093
#   HIGHPIPE_PG_USER=highpipe  HIGHPIPE_PG_PASSWORD=highpipe  (databases: highpipe, highpipe_test)
#   HIGHPIPE_KAFKA_VERSION=4.1.0  HIGHPIPE_KAFKA_CACHE=~/.cache/highpipe  (jars in kafka-<version>/libs)
#   HIGHPIPE_KAFKA_HEAP=768m  HIGHPIPE_SERVICES_TIMEOUT=90 (seconds to wait for each service)
#   HIGHPIPE_SERVICES_INSTALL=1  (0: never call apt-get; fail with the command to run instead)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
STATE="${HIGHPIPE_SERVICES_DIR:-$REPO/.services}"
LOGS="$STATE/logs"
PG_PORT="${HIGHPIPE_PG_PORT:-15432}"
PGB_PORT="${HIGHPIPE_PGBOUNCER_PORT:-16432}"
REDIS_PORT="${HIGHPIPE_REDIS_PORT:-16379}"
KAFKA_PORT="${HIGHPIPE_KAFKA_PORT:-19092}"
KAFKA_CTL_PORT="${HIGHPIPE_KAFKA_CONTROLLER_PORT:-19093}"
PG_USER="${HIGHPIPE_PG_USER:-highpipe}"
PG_PASSWORD="${HIGHPIPE_PG_PASSWORD:-highpipe}"
KAFKA_VERSION="${HIGHPIPE_KAFKA_VERSION:-4.1.0}"
KAFKA_CACHE="${HIGHPIPE_KAFKA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/highpipe}"
KAFKA_HEAP="${HIGHPIPE_KAFKA_HEAP:-768m}"
TIMEOUT="${HIGHPIPE_SERVICES_TIMEOUT:-90}"
INSTALL="${HIGHPIPE_SERVICES_INSTALL:-1}"
ALL_SERVICES=(postgres pgbouncer redis kafka)

log() { printf 'services: %s\n' "$*" >&2; }
die() {
    printf 'services: ERROR: %s\n' "$*" >&2
    exit 1
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Is something listening on 127.0.0.1:$1?
listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

# Wait until "$@" succeeds (exit 2: it never will); $1 = what, $2 = log file to show on failure.
wait_for() {
    local what="$1" logfile="$2" start rc
    shift 2
    start=$(now)
    local deadline=$((SECONDS + TIMEOUT))
    while :; do
        rc=0
        "$@" >/dev/null 2>&1 || rc=$?
        ((rc == 0)) && break
        if ((rc == 2 || SECONDS >= deadline)); then
            log "last lines of $logfile:"
            tail -n 25 "$logfile" >&2 2>/dev/null || true
            ((rc == 2)) && die "$what exited while starting (log: $logfile)"
            die "$what was not ready after ${TIMEOUT}s (log: $logfile)"
        fi
        sleep 0.3
    done
    log "$what ready in $(elapsed "$start")s"
}

# The port must be free unless our own service holds it.
need_free_port() {
    local port="$1" what="$2" var="$3"
    if listening "$port"; then
        die "port $port (for $what) is taken by another process; stop it or choose another port: $var=<port>"
    fi
}

pid_alive() { [[ -s "$1" ]] && kill -0 "$(head -n1 "$1")" 2>/dev/null; }

# Run as the service account (postgres, redis) when we are root; as ourselves otherwise.
as_user() {
    local user="$1"
    shift
    if ((EUID == 0)); then
        runuser -u "$user" -- "$@"
    else
        "$@"
    fi
}

own_dir() { # own_dir USER DIR [MODE]: create DIR owned by USER (when root)
    mkdir -p "$2"
    if ((EUID == 0)); then chown "$1:" "$2"; fi
    chmod "${3:-0755}" "$2"
}

own_file() { # own_file USER FILE: an (empty) file USER may write, e.g. a log
    touch "$2"
    if ((EUID == 0)); then chown "$1:" "$2"; fi
}

apt_install() { # apt_install PKG...: installs the Debian packages that are missing
    local missing=() pkg start
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    ((${#missing[@]} == 0)) && return 0
    local sudo=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null || die "missing packages ${missing[*]}; run as root: apt-get install -y ${missing[*]}"
        sudo=(sudo)
    fi
    [[ "$INSTALL" == 1 ]] || die "missing packages ${missing[*]}; run: apt-get install -y ${missing[*]}"
    start=$(now)
    log "installing ${missing[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then
        "${sudo[@]}" apt-get update -qq >"$LOGS/apt.log" 2>&1 || die "apt-get update failed (log: $LOGS/apt.log)"
    fi
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$LOGS/apt.log" 2>&1 ||
        die "apt-get install ${missing[*]} failed (log: $LOGS/apt.log)"
    log "installed ${missing[*]} in $(elapsed "$start")s"
}

# shellcheck source=deploy/local/postgres.sh
source "$HERE/postgres.sh"
# shellcheck source=deploy/local/redis.sh
source "$HERE/redis.sh"
# shellcheck source=deploy/local/kafka.sh
source "$HERE/kafka.sh"

urls() {
    echo "HIGHPIPE_TEST_POSTGRES_URL=postgresql+asyncpg://$PG_USER:$PG_PASSWORD@127.0.0.1:$PGB_PORT/highpipe_test"
    echo "HIGHPIPE_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
    echo "HIGHPIPE_TEST_KAFKA_URL=kafka://127.0.0.1:$KAFKA_PORT"
}

main() {
    local cmd="${1:-}" svc
    [[ -n "$cmd" ]] || die "usage: $0 up|down|restart|clean|status|urls [postgres|pgbouncer|redis|kafka ...]"
    shift
    local services=("$@")
    ((${#services[@]})) || services=("${ALL_SERVICES[@]}")
    for svc in "${services[@]}"; do
        [[ " ${ALL_SERVICES[*]} " == *" $svc "* ]] || die "unknown service '$svc' (known: ${ALL_SERVICES[*]})"
    done
    case "$cmd" in
    up | restart)
        mkdir -p "$LOGS"
        chmod 0755 "$STATE" "$LOGS"
        # One `up` at a time (two make runs side by side would race on initdb / format). The daemons are
        # started with fd 9 closed, or they would hold the lock for as long as they run.
        exec 9>"$STATE/.lock"
        flock -w "$TIMEOUT" 9 || die "another services-up holds $STATE/.lock"
        local start
        start=$(now)
        if [[ "$cmd" == restart ]]; then
            for ((i = ${#services[@]} - 1; i >= 0; i--)); do "${services[i]}_down"; done
        fi
        for svc in "${services[@]}"; do "${svc}_up"; done
        log "up in $(elapsed "$start")s; logs in $LOGS"
        ;;
    down | clean)
        for ((i = ${#services[@]} - 1; i >= 0; i--)); do "${services[i]}_down"; done
        if [[ "$cmd" == clean ]]; then
            rm -rf "$STATE"
            log "removed $STATE"
        fi
        ;;
    status)
        local bad=0
        for svc in "${services[@]}"; do "${svc}_status" || bad=1; done
        return "$bad"
        ;;
    urls) urls ;;
    *) die "unknown command '$cmd'" ;;
    esac
}

main "$@"
