# Apache Kafka 4.x for deploy/local/services.sh (sourced; uses its helpers and settings).
#
# The jars come from Maven Central only, through deploy/local/kafka/pom.xml, into a cache folder keyed by
# version ($KAFKA_CACHE/kafka-<version>/libs), so later runs and fresh clones on the same machine reuse them.
# One KRaft node acts as broker and controller: PLAINTEXT on 127.0.0.1:$KAFKA_PORT, the controller on
# 127.0.0.1:$KAFKA_CTL_PORT; data in $STATE/kafka/data, formatted once with a random cluster id.

KAFKA_DIR="$STATE/kafka"
KAFKA_LOG="$LOGS/kafka.log"
KAFKA_LIBS="$KAFKA_CACHE/kafka-$KAFKA_VERSION/libs"
KAFKA_PID="$KAFKA_DIR/kafka.pid"

kafka_libs() { # resolve the broker's jars once per version
    [[ -f "$KAFKA_LIBS/.complete" ]] && return 0
    command -v java >/dev/null || die "java (17 or newer) is needed for Kafka; install openjdk-17-jre-headless"
    command -v mvn >/dev/null || die "maven is needed to fetch Kafka from Maven Central; install maven"
    local start tmp
    start=$(now)
    tmp="$KAFKA_LIBS.tmp.$$"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    log "kafka: resolving Apache Kafka $KAFKA_VERSION from Maven Central (once per version)"
    if ! mvn -B -q -f "$HERE/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$tmp" >"$LOGS/maven.log" 2>&1; then
        rm -rf "$tmp"
        tail -n 20 "$LOGS/maven.log" >&2
        die "maven could not resolve Kafka $KAFKA_VERSION (log: $LOGS/maven.log)"
    fi
    ls "$tmp"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null 2>&1 || die "kafka_2.13-$KAFKA_VERSION.jar missing after resolve"
    touch "$tmp/.complete"
    rm -rf "$KAFKA_LIBS"
    mv "$tmp" "$KAFKA_LIBS"
    log "kafka: $(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars in $KAFKA_LIBS in $(elapsed "$start")s"
}

KAFKA_JAVA=(java -Xms256m -Xmx"$KAFKA_HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
    -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" -Dkafka.logs.dir="$LOGS" -cp "$KAFKA_LIBS/*")

kafka_config() {
    cat >"$KAFKA_DIR/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CTL_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CTL_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DIR/data
num.partitions=6
# The bus allows 8 MiB messages (a batch of reviews); the broker's default is 1 MiB.
message.max.bytes=8388608
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=12
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# A single local node: no reason to delay the first rebalance of a consumer group.
group.initial.rebalance.delay.ms=0
log.retention.hours=24
log.segment.bytes=67108864
num.network.threads=2
num.io.threads=4
EOF
    cat >"$KAFKA_DIR/log4j2.properties" <<'EOF'
status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.out.ref = out
logger.state.name = state.change.logger
logger.state.level = warn
logger.request.name = kafka.request.logger
logger.request.level = warn
logger.cleaner.name = kafka.log.LogCleaner
logger.cleaner.level = warn
EOF
}

kafka_running() {
    pid_alive "$KAFKA_PID" && grep -q kafka.Kafka "/proc/$(head -n1 "$KAFKA_PID")/cmdline" 2>/dev/null
}

# Ready = the client port listens and the broker logged that it started (after our log offset).
kafka_ready() {
    # (Not `tail | grep -q`: grep quits at the first match and, under pipefail, tail's SIGPIPE fails the test.)
    listening "$KAFKA_PORT" && grep -q "Kafka Server started" <(tail -c +"$((KAFKA_LOG_FROM + 1))" "$KAFKA_LOG")
}

kafka_up() {
    kafka_libs
    mkdir -p "$KAFKA_DIR"
    kafka_config
    if kafka_running; then
        log "kafka: already running on 127.0.0.1:$KAFKA_PORT"
        KAFKA_LOG_FROM=0
        wait_for "kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT" "$KAFKA_LOG" kafka_ready
        return 0
    fi
    need_free_port "$KAFKA_PORT" kafka HIGHPIPE_KAFKA_PORT
    need_free_port "$KAFKA_CTL_PORT" "the kafka controller" HIGHPIPE_KAFKA_CONTROLLER_PORT
    touch "$KAFKA_LOG"
    if [[ ! -s "$KAFKA_DIR/data/meta.properties" ]]; then
        local start cid
        start=$(now)
        # A cluster id is 16 random bytes in URL-safe base64 without padding (what `random-uuid` prints).
        cid="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
        "${KAFKA_JAVA[@]}" kafka.tools.StorageTool format --cluster-id "$cid" --config "$KAFKA_DIR/server.properties" \
            </dev/null >>"$KAFKA_LOG" 2>&1 || {
            tail -n 20 "$KAFKA_LOG" >&2
            die "kafka storage format failed (log: $KAFKA_LOG)"
        }
        echo "$cid" >"$KAFKA_DIR/cluster.id"
        log "kafka: formatted $KAFKA_DIR/data (cluster $cid) in $(elapsed "$start")s"
    fi
    KAFKA_LOG_FROM="$(stat -c %s "$KAFKA_LOG")"
    # setsid + closed stdio: the broker must not hold the caller's terminal or pipes (make, CI) open.
    # (No job control here, so setsid and nohup exec in place and $! is the JVM's pid.)
    setsid nohup "${KAFKA_JAVA[@]}" kafka.Kafka "$KAFKA_DIR/server.properties" 9>&- </dev/null >>"$KAFKA_LOG" 2>&1 &
    echo $! >"$KAFKA_PID"
    wait_for "kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT" "$KAFKA_LOG" kafka_ready_or_dead
}

kafka_ready_or_dead() { # 2 (give up) when the JVM exited during start-up
    kill -0 "$(head -n1 "$KAFKA_PID")" 2>/dev/null || return 2
    kafka_ready
}

kafka_down() {
    if kafka_running; then
        local pid
        pid="$(head -n1 "$KAFKA_PID")"
        kill -TERM "$pid" # controlled shutdown: flushes logs and closes the quorum cleanly
        for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            log "kafka: no clean stop after 60s, killing"
            kill -KILL "$pid"
        fi
        rm -f "$KAFKA_PID"
        log "kafka: stopped"
    else
        log "kafka: not running"
    fi
}

kafka_status() {
    if kafka_running && listening "$KAFKA_PORT"; then
        echo "kafka      up    127.0.0.1:$KAFKA_PORT (controller :$KAFKA_CTL_PORT)  $KAFKA_VERSION  data $KAFKA_DIR/data"
    else
        echo "kafka      down"
        return 1
    fi
}
