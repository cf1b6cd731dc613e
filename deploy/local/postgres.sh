# PostgreSQL 15 and PgBouncer for deploy/local/services.sh (sourced; uses its helpers and settings).
#
# PostgreSQL: its own cluster in $STATE/postgres/data, TCP on 127.0.0.1:$PG_PORT only (password auth), a
# Unix socket in a folder only the postgres account can enter (used to create the role and databases).
# PgBouncer: transaction pooling on 127.0.0.1:$PGB_PORT, forwarding every database to that cluster.

PG_BIN="${HIGHPIPE_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_DATA="$STATE/postgres/data"
PG_RUN="$STATE/postgres/run"
PG_LOG="$LOGS/postgres.log"
PGB_DIR="$STATE/pgbouncer"
PGB_LOG="$LOGS/pgbouncer.log"
PG_ACCOUNT=postgres
[[ $EUID == 0 ]] || PG_ACCOUNT="$(id -un)"

pg_psql() { # SQL as the superuser, through the private socket
    as_user "$PG_ACCOUNT" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_RUN" -p "$PG_PORT" -U postgres \
        -d postgres "$@"
}

pg_running() { as_user "$PG_ACCOUNT" "$PG_BIN/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1; }

pg_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 1 || return 1; } # (its 2 = no answer yet)

postgres_up() {
    apt_install postgresql-15 postgresql-client-15
    [[ -x "$PG_BIN/initdb" ]] || die "PostgreSQL 15 binaries not found in $PG_BIN (set HIGHPIPE_PG_BIN)"
    own_dir "$PG_ACCOUNT" "$STATE/postgres"
    own_dir "$PG_ACCOUNT" "$PG_RUN" 0700
    own_file "$PG_ACCOUNT" "$PG_LOG"
    as_user "$PG_ACCOUNT" test -w "$STATE/postgres" ||
        die "the $PG_ACCOUNT account cannot reach $STATE; choose a folder it can: HIGHPIPE_SERVICES_DIR=/var/tmp/highpipe-services"
    if [[ ! -s "$PG_DATA/PG_VERSION" ]]; then
        local start locale=(--no-locale)
        start=$(now)
        # C.UTF-8 gives Unicode-aware lower()/ILIKE with byte-order (stable, locale-free) sorting.
        locale -a 2>/dev/null | grep -qix 'c.utf-\?8' && locale=(--locale=C.UTF-8)
        own_dir "$PG_ACCOUNT" "$PG_DATA" 0700
        as_user "$PG_ACCOUNT" "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 "${locale[@]}" \
            --auth-local=peer --auth-host=scram-sha-256 >>"$PG_LOG" 2>&1 ||
            die "initdb failed (log: $PG_LOG)"
        echo "include_if_exists = 'highpipe.conf'" >>"$PG_DATA/postgresql.conf"
        log "postgres: initialised $PG_DATA in $(elapsed "$start")s"
    fi
    # Rewritten on every start so that changed ports take effect.
    cat >"$PG_DATA/highpipe.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_RUN'
unix_socket_permissions = 0700
max_connections = 200
password_encryption = scram-sha-256
log_min_messages = warning
EOF
    if ((EUID == 0)); then chown "$PG_ACCOUNT:" "$PG_DATA/highpipe.conf"; fi
    if pg_running; then
        log "postgres: already running on 127.0.0.1:$PG_PORT"
    else
        need_free_port "$PG_PORT" postgres HIGHPIPE_PG_PORT
        as_user "$PG_ACCOUNT" "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -s -w -t "$TIMEOUT" 9>&- \
            </dev/null >/dev/null 2>&1 || {
            tail -n 20 "$PG_LOG" >&2
            die "postgres did not start (log: $PG_LOG)"
        }
    fi
    wait_for "postgres on 127.0.0.1:$PG_PORT" "$PG_LOG" pg_ready
    pg_provision
}

pg_provision() { # the application role and its two databases (idempotent)
    local pw="${PG_PASSWORD//\'/\'\'}"
    pg_psql -v user="$PG_USER" <<EOF >>"$PG_LOG" 2>&1 || die "could not create role/databases (log: $PG_LOG)"
SELECT format('CREATE ROLE %I LOGIN', :'user') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user') \gexec
ALTER ROLE :"user" LOGIN PASSWORD '$pw';
SELECT format('CREATE DATABASE %I OWNER %I', d, :'user') FROM unnest(ARRAY['highpipe', 'highpipe_test']) AS d
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = d) \gexec
EOF
}

postgres_down() {
    if [[ -s "$PG_DATA/PG_VERSION" ]] && pg_running; then
        as_user "$PG_ACCOUNT" "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -s -w -t 60 >/dev/null 2>&1 ||
            die "postgres did not stop (log: $PG_LOG)"
        log "postgres: stopped"
    else
        log "postgres: not running"
    fi
}

postgres_status() {
    if [[ -s "$PG_DATA/PG_VERSION" ]] && pg_running && pg_ready; then
        echo "postgres   up    127.0.0.1:$PG_PORT  data $PG_DATA"
    else
        echo "postgres   down"
        return 1
    fi
}

pgb_ready() {
    PGPASSWORD="$PG_PASSWORD" PGCONNECT_TIMEOUT=2 "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PGB_PORT" \
        -U "$PG_USER" -d highpipe_test -tAc 'SELECT 1' | grep -qx 1
}

pgbouncer_up() {
    apt_install pgbouncer
    own_dir "$PG_ACCOUNT" "$PGB_DIR" 0700
    own_file "$PG_ACCOUNT" "$PGB_LOG"
    # A plain-text password lets PgBouncer answer SCRAM itself and log in to PostgreSQL with SCRAM.
    printf '"%s" "%s"\n' "$PG_USER" "${PG_PASSWORD//\"/\"\"}" >"$PGB_DIR/userlist.txt"
    cat >"$PGB_DIR/pgbouncer.ini" <<EOF
[databases]
* = host=127.0.0.1 port=$PG_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGB_PORT
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $PGB_DIR/userlist.txt
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 40
reserve_pool_size = 5
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
logfile = $PGB_LOG
pidfile = $PGB_DIR/pgbouncer.pid
log_connections = 0
log_disconnections = 0
EOF
    if ((EUID == 0)); then chown "$PG_ACCOUNT:" "$PGB_DIR/userlist.txt" "$PGB_DIR/pgbouncer.ini"; fi
    chmod 0600 "$PGB_DIR/userlist.txt"
    if pid_alive "$PGB_DIR/pgbouncer.pid"; then
        log "pgbouncer: already running on 127.0.0.1:$PGB_PORT"
    else
        need_free_port "$PGB_PORT" pgbouncer HIGHPIPE_PGBOUNCER_PORT
        as_user "$PG_ACCOUNT" /usr/sbin/pgbouncer -q -d "$PGB_DIR/pgbouncer.ini" 9>&- </dev/null >>"$PGB_LOG" 2>&1 ||
            die "pgbouncer did not start (log: $PGB_LOG)"
    fi
    wait_for "pgbouncer on 127.0.0.1:$PGB_PORT (transaction pooling)" "$PGB_LOG" pgb_ready
}

pgbouncer_down() {
    if pid_alive "$PGB_DIR/pgbouncer.pid"; then
        local pid
        pid="$(head -n1 "$PGB_DIR/pgbouncer.pid")"
        kill -INT "$pid" # SIGINT: stop at once, closing client and server connections
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
        rm -f "$PGB_DIR/pgbouncer.pid"
        log "pgbouncer: stopped"
    else
        log "pgbouncer: not running"
    fi
}

pgbouncer_status() {
    if pid_alive "$PGB_DIR/pgbouncer.pid" && pgb_ready; then
        echo "pgbouncer  up    127.0.0.1:$PGB_PORT  pool_mode=transaction -> 127.0.0.1:$PG_PORT"
    else
        echo "pgbouncer  down"
        return 1
    fi
}
