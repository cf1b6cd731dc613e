#!/usr/bin/env bash
# A local S3-compatible server for the S3 lake and its tests, on loopback only.
#
# Default: SeaweedFS (Apache-2.0), built once from the Go module proxy and cached under
#   ~/.cache/highpipe/bin/seaweedfs-<version>/weed   (the first build takes minutes; later runs reuse it)
# run as one `weed server` (master + volume + filer + S3 gateway). Fallback (HIGHPIPE_S3_SERVER=moto, or
# automatically when the SeaweedFS build fails): moto's server from PyPI (moto[server]==5.2.5) in its own
# cache venv ~/.cache/highpipe/moto-5.2.5 (an in-memory S3 emulator; nothing is stored on disk).
#
# Usage: deploy/local/s3.sh install|up|down|status|url
# Settings (environment, with defaults):
#   HIGHPIPE_S3_PORT=18333 (S3 API; SeaweedFS uses the next ports: master 18334, volume 18335, filer 18336,
#   and their gRPC ports +100)   HIGHPIPE_SERVICES_DIR=<repo>/.services (data and logs in .services/s3/)
#   HIGHPIPE_S3_SERVER=seaweedfs|moto   HIGHPIPE_S3_TIMEOUT=90 (seconds to wait for the server)
# Credentials: the throwaway local dev key below (loopback only; not a secret). The S3 lake reads them from
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; `make test` passes them as HIGHPIPE_TEST_S3_ACCESS_KEY/_SECRET_KEY.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
STATE="${HIGHPIPE_SERVICES_DIR:-$REPO/.services}/s3"
PORT="${HIGHPIPE_S3_PORT:-18333}"
SERVER="${HIGHPIPE_S3_SERVER:-seaweedfs}"
TIMEOUT="${HIGHPIPE_S3_TIMEOUT:-90}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/highpipe"
SEAWEED_MODULE=github.com/seaweedfs/seaweedfs
SEAWEED_VERSION=v0.0.0-20261109003541-7506e5f91cd6
SEAWEED_BIN="$CACHE/bin/seaweedfs-$SEAWEED_VERSION/weed"
GO_VERSION=1.26.6 # what the SeaweedFS module's go.mod asks for
MOTO_VERSION=5.2.5
MOTO_VENV="$CACHE/moto-$MOTO_VERSION"
ACCESS_KEY=highpipe-local
SECRET_KEY=highpipe-local-secret
PIDFILE="$STATE/server.pid"
KINDFILE="$STATE/server.kind"
LOG="$STATE/server.log"

log() { printf 's3: %s\n' "$*" >&2; }
die() {
    printf 's3: ERROR: %s\n' "$*" >&2
    exit 1
}
pid_alive() { [[ -f "$1" ]] && kill -0 "$(head -n1 "$1")" 2>/dev/null; }
ready() { curl -s -o /dev/null -m 2 "http://127.0.0.1:$PORT/" 2>/dev/null; }

# A Go toolchain new enough for the module: the one on PATH, else the official one from the Go module proxy
# (module golang.org/toolchain), cached under ~/.cache/highpipe/go-<version>.
go_bin() {
    if command -v go >/dev/null 2>&1; then
        local have
        have="$(go env GOVERSION | sed 's/^go//')"
        if [[ "$(printf '%s\n%s\n' "$GO_VERSION" "$have" | sort -V | head -n1)" == "$GO_VERSION" ]]; then
            command -v go
            return
        fi
    fi
    local dir="$CACHE/go-$GO_VERSION"
    if [[ ! -x "$dir/go/bin/go" ]]; then
        local arch zip
        arch="$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')"
        zip="$(mktemp)"
        log "downloading the Go $GO_VERSION toolchain from the Go module proxy"
        curl -fsSL -o "$zip" "https://proxy.golang.org/golang.org/toolchain/@v/v0.0.1-go$GO_VERSION.linux-$arch.zip"
        mkdir -p "$dir.tmp"
        (cd "$dir.tmp" && python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall()' "$zip")
        rm -f "$zip"
        mv "$dir.tmp/golang.org/toolchain@v0.0.1-go$GO_VERSION.linux-$arch" "$dir/go" 2>/dev/null ||
            { mkdir -p "$dir" && mv "$dir.tmp/golang.org/toolchain@v0.0.1-go$GO_VERSION.linux-$arch" "$dir/go"; }
        rm -rf "$dir.tmp"
        chmod +x "$dir/go/bin/"* "$dir/go/pkg/tool/"*/* 2>/dev/null || true
    fi
    echo "$dir/go/bin/go"
}

install_seaweedfs() {
    [[ -x "$SEAWEED_BIN" ]] && return 0
    command -v curl >/dev/null || die "curl is needed (apt-get install curl)"
    local go dir start=$SECONDS
    go="$(go_bin)"
    log "building SeaweedFS $SEAWEED_VERSION from the Go module proxy (once; several minutes)"
    # `go install module@version` refuses modules whose go.mod has replace directives (SeaweedFS has one),
    # so download the module and build its ./weed command inside it, as its own main module.
    dir="$(GOTOOLCHAIN=local "$go" mod download -json "$SEAWEED_MODULE@$SEAWEED_VERSION" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')"
    mkdir -p "$(dirname "$SEAWEED_BIN")"
    (cd "$dir" && GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=mod -trimpath" \
        "$go" build -ldflags "-s -w" -o "$SEAWEED_BIN.tmp" ./weed) || return 1
    mv "$SEAWEED_BIN.tmp" "$SEAWEED_BIN"
    log "SeaweedFS built in $((SECONDS - start))s: $SEAWEED_BIN"
}

install_moto() {
    [[ -x "$MOTO_VENV/bin/moto_server" ]] && return 0
    log "installing moto[server]==$MOTO_VERSION into $MOTO_VENV"
    if command -v uv >/dev/null 2>&1; then
        uv venv -q "$MOTO_VENV" && uv pip install -q --python "$MOTO_VENV/bin/python" "moto[server]==$MOTO_VERSION"
    else
        python3 -m venv "$MOTO_VENV" && "$MOTO_VENV/bin/pip" install -q "moto[server]==$MOTO_VERSION"
    fi
}

install() {
    if [[ "$SERVER" == seaweedfs ]]; then
        install_seaweedfs && return 0
        log "the SeaweedFS build failed; falling back to moto's server"
        SERVER=moto
    fi
    [[ "$SERVER" == moto ]] || die "HIGHPIPE_S3_SERVER=$SERVER: use seaweedfs or moto"
    install_moto
}

up() {
    if pid_alive "$PIDFILE" && ready; then
        log "$(cat "$KINDFILE") already running on 127.0.0.1:$PORT"
        return 0
    fi
    install
    mkdir -p "$STATE/data"
    if curl -s -o /dev/null -m 2 "http://127.0.0.1:$PORT/"; then
        die "port $PORT is taken by another process; choose another: HIGHPIPE_S3_PORT=<port>"
    fi
    : >"$LOG"
    if [[ "$SERVER" == seaweedfs ]]; then
        cat >"$STATE/s3.json" <<EOF
{"identities": [{"name": "highpipe-local",
  "credentials": [{"accessKey": "$ACCESS_KEY", "secretKey": "$SECRET_KEY"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
EOF
        nohup "$SEAWEED_BIN" -logtostderr server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$STATE/data" \
            -master.port=$((PORT + 1)) -master.port.grpc=$((PORT + 101)) -master.volumeSizeLimitMB=64 \
            -volume.port=$((PORT + 2)) -volume.port.grpc=$((PORT + 102)) -volume.max=16 \
            -filer -filer.port=$((PORT + 3)) -filer.port.grpc=$((PORT + 103)) \
            -s3 -s3.port="$PORT" -s3.port.grpc=$((PORT + 100)) -s3.config="$STATE/s3.json" \
            -s3.port.iceberg=0 -s3.port.lance=0 \
            </dev/null >>"$LOG" 2>&1 &
    else
        nohup "$MOTO_VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" </dev/null >>"$LOG" 2>&1 &
    fi
    echo $! >"$PIDFILE"
    echo "$SERVER" >"$KINDFILE"
    local deadline=$((SECONDS + TIMEOUT))
    until ready; do
        pid_alive "$PIDFILE" || { tail -n 25 "$LOG" >&2; die "$SERVER exited while starting (log: $LOG)"; }
        ((SECONDS < deadline)) || { tail -n 25 "$LOG" >&2; die "$SERVER not ready after ${TIMEOUT}s (log: $LOG)"; }
        sleep 0.3
    done
    log "$SERVER ready on http://127.0.0.1:$PORT (data and log in $STATE)"
}

down() {
    if pid_alive "$PIDFILE"; then
        local pid
        pid="$(head -n1 "$PIDFILE")"
        kill -TERM "$pid"
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
        log "stopped"
    else
        log "not running"
    fi
    rm -f "$PIDFILE"
}

status() {
    if pid_alive "$PIDFILE" && ready; then
        echo "s3         up    127.0.0.1:$PORT  $(cat "$KINDFILE")"
    else
        echo "s3         down"
        return 1
    fi
}

url() { echo "s3://highpipe-test?endpoint=http://127.0.0.1:$PORT&region=us-east-1&create_bucket=1"; }

case "${1:-}" in
install) install ;;
up) up ;;
down) down ;;
status) status ;;
url) url ;;
*) die "usage: $0 install|up|down|status|url" ;;
esac
