#!/usr/bin/env bash
# A one-node Kafka 3.7 broker in KRaft mode (no ZooKeeper) on 127.0.0.1, from Maven Central jars,
# in its own JVM.
#
#   scripts/kafka.sh start     builds KAFKA_HOME (once), formats a fresh log directory, starts the
#                              broker and waits until it answers; prints its bootstrap address
#   scripts/kafka.sh stop      stops it and deletes its data
#
# Broker: 127.0.0.1:$KAFKA_PORT (default 9092); controller: the port after it. Topics are created
# on first use (one partition) or by `sluice produce --partitions=N`.
# KAFKA_HOME (configuration, logs, data) defaults to target/kafka-home, the jars to KAFKA_HOME/libs
# (KAFKA_LIBS); each start formats KAFKA_HOME/data anew.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
KAFKA_HOME=${KAFKA_HOME:-$ROOT/target/kafka-home}
LIBS=${KAFKA_LIBS:-$KAFKA_HOME/libs}
KAFKA_PORT=${KAFKA_PORT:-9092}
CONTROLLER_PORT=$((KAFKA_PORT + 1))
RUN=$KAFKA_HOME/run
DATA=$KAFKA_HOME/data

build_home() {
  if [ ! -f "$LIBS/.complete" ]; then
    mkdir -p "$LIBS"
    mvn -q -B -f "$ROOT/scripts/cluster/kafka/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$LIBS" -DincludeScope=runtime
    touch "$LIBS/.complete"
  fi
  mkdir -p "$RUN"
  cat > "$KAFKA_HOME/server.properties" <<CONF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA
num.partitions=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
CONF
  cat > "$KAFKA_HOME/log4j2.properties" <<'LOG'
rootLogger.level = WARN
rootLogger.appenderRef.file.ref = File
appender.file.type = File
appender.file.name = File
appender.file.fileName = ${sys:kafka.logs.dir}/broker.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{HH:mm:ss} %-5level %c{1} - %msg%n
LOG
}

answers() {
  (exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT") 2>/dev/null
}

case "${1:-}" in
  start)
    build_home
    if answers; then
      echo "kafka: something already listens on 127.0.0.1:$KAFKA_PORT; stop it first" >&2
      exit 1
    fi
    rm -rf "$DATA"
    java -cp "$LIBS/*" kafka.tools.StorageTool format --ignore-formatted \
      -t "$(java -cp "$LIBS/*" kafka.tools.StorageTool random-uuid)" \
      -c "$KAFKA_HOME/server.properties" > "$RUN/format.log" 2>&1
    java -Xmx512m -Dkafka.logs.dir="$RUN" -Dlog4j2.configurationFile="$KAFKA_HOME/log4j2.properties" \
      -cp "$LIBS/*" kafka.Kafka "$KAFKA_HOME/server.properties" > "$RUN/broker.out" 2>&1 &
    echo $! > "$RUN/broker.pid"
    for _ in $(seq 1 60); do
      if answers; then
        echo "kafka: broker at 127.0.0.1:$KAFKA_PORT (KRaft, data in $DATA)"
        exit 0
      fi
      kill -0 "$(cat "$RUN/broker.pid")" 2>/dev/null || break
      sleep 1
    done
    kill "$(cat "$RUN/broker.pid")" 2>/dev/null || true
    rm -f "$RUN/broker.pid"
    echo "kafka: the broker did not start within 60 s; see $RUN/" >&2
    exit 1
    ;;
  stop)
    pid=$(cat "$RUN/broker.pid" 2>/dev/null || true)
    if [ -n "$pid" ]; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$RUN/broker.pid"
    rm -rf "$DATA"
    ;;
  *)
    echo "usage: [KAFKA_PORT=9092] scripts/kafka.sh start|stop" >&2
    exit 2
    ;;
esac
