#!/usr/bin/env bash
# A Flink 1.19 session cluster on 127.0.0.1 from Maven Central jars: one JobManager, one TaskManager
# with 2 slots (FLINK_TASKMANAGERS=N starts N, each with 2 slots and 3 GB).
#
#   scripts/flink-cluster.sh start              builds FLINK_HOME (once), starts JobManager and TaskManagers
#   scripts/flink-cluster.sh submit ARGS...     runs sluice ARGS on it with flink run; the
#                                               dependency jar is staged once, then only
#                                               sluice-code.jar is shipped (scripts/cluster/staging.sh,
#                                               SLUICE_STAGING=single: sluice.jar with
#                                               --flinkMaster=127.0.0.1:8081)
#   scripts/flink-cluster.sh stop               stops them
#
# REST and web UI: http://127.0.0.1:8081. Everything listens on 127.0.0.1 only.
# FLINK_HOME defaults to target/flink-home; the JVM options (--add-opens) are .mvn/jvm.config.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
FLINK_HOME=${FLINK_HOME:-$ROOT/target/flink-home}
CONF=$FLINK_HOME/conf
RUN=$FLINK_HOME/run
REST=127.0.0.1:8081
TASKMANAGERS=${FLINK_TASKMANAGERS:-1}

build_home() {
  if [ ! -f "$FLINK_HOME/lib/.complete" ]; then
    mkdir -p "$FLINK_HOME/lib" "$CONF"
    mvn -q -B -f "$ROOT/scripts/cluster/flink/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$FLINK_HOME/lib" -DincludeScope=runtime
    touch "$FLINK_HOME/lib/.complete"
  fi
  mkdir -p "$RUN" "$CONF"
  cat > "$CONF/flink-conf.yaml" <<CONF
jobmanager.rpc.address: 127.0.0.1
jobmanager.bind-host: 127.0.0.1
taskmanager.bind-host: 127.0.0.1
taskmanager.host: 127.0.0.1
rest.address: 127.0.0.1
rest.bind-address: 127.0.0.1
rest.port: 8081
jobmanager.memory.process.size: 1024m
taskmanager.memory.process.size: 3072m
taskmanager.numberOfTaskSlots: 2
parallelism.default: 2
# A TaskManager that stops answering is declared lost after 10 s (Flink's default is 50 s), so a
# job restarts soon after a worker dies.
heartbeat.interval: 2000
heartbeat.timeout: 10000
# With several TaskManagers, a job's tasks spread over all of them rather than filling one first.
cluster.evenly-spread-out-slots: true
# A failed job (a lost TaskManager) restarts up to 3 times, 2 s apart, as a production session
# cluster is set up; Flink's default without checkpointing is not to restart. Beam 2.62's
# --numberOfExecutionRetries did not reach a batch job here.
restart-strategy.type: fixed-delay
restart-strategy.fixed-delay.attempts: 3
restart-strategy.fixed-delay.delay: 2 s
CONF
  cat > "$CONF/log4j2.properties" <<'LOG'
rootLogger.level = WARN
rootLogger.appenderRef.file.ref = File
appender.file.type = File
appender.file.name = File
appender.file.fileName = ${sys:log.file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{HH:mm:ss} %-5level %c{1} - %msg%n
LOG
  # The client of flink run logs to the console, as sluice does.
  cat > "$CONF/log4j2-cli.properties" <<'LOG'
rootLogger.level = WARN
rootLogger.appenderRef.console.ref = Console
appender.console.type = Console
appender.console.name = Console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %-5level %c{1} - %msg%n
LOG
}

# Flink's own computation of a process's JVM memory options and dynamic settings, as its
# start scripts do it: prints two lines.
resource_params() {
  java -cp "$FLINK_HOME/lib/*" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" \
    --configDir "$CONF" 2>/dev/null | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' \
    | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://' | tail -n 2
}

# start_process NAME MAIN PARAMS [ARGS...]: ARGS go to MAIN after Flink's own.
start_process() {
  local name=$1 main=$2 params=$3
  shift 3
  local jvm dynamic
  jvm=$(resource_params "$params" | head -n 1)
  dynamic=$(resource_params "$params" | tail -n 1)
  # shellcheck disable=SC2086
  java $jvm @"$ROOT/.mvn/jvm.config" -Dlog.file="$RUN/$name.log" \
    -Dlog4j.configurationFile="$CONF/log4j2.properties" -cp "$FLINK_HOME/lib/*" \
    "$main" --configDir "$CONF" $dynamic "$@" > "$RUN/$name.out" 2>&1 &
  echo $! > "$RUN/$name.pid"
}

wait_for_taskmanager() {
  for _ in $(seq 1 90); do
    if curl -sf "http://$REST/overview" 2>/dev/null | grep -q "\"taskmanagers\" *: *$TASKMANAGERS\b"; then
      return 0
    fi
    sleep 1
  done
  echo "flink-cluster: $TASKMANAGERS TaskManager(s) did not register within 90 s; see $RUN/" >&2
  return 1
}

case "${1:-}" in
  start)
    build_home
    if curl -sf "http://$REST/overview" > /dev/null 2>&1; then
      echo "flink-cluster: something already serves http://$REST; stop it first" >&2
      exit 1
    fi
    start_process jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
      GET_JM_RESOURCE_PARAMS
    # Each TaskManager's resource ID is its name, which the REST API shows for every subtask and
    # which names its pid file (run/NAME.pid).
    for i in $(seq 1 "$TASKMANAGERS"); do
      name="taskmanager$([ "$i" = 1 ] && echo "" || echo "-$i")"
      start_process "$name" org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
        GET_TM_RESOURCE_PARAMS -D "taskmanager.resource-id=$name"
    done
    wait_for_taskmanager
    echo "flink-cluster: session cluster at $REST (web UI http://$REST), $TASKMANAGERS TaskManager(s), 2 slots each"
    ;;
  submit)
    shift
    # shellcheck source=cluster/staging.sh
    . "$ROOT/scripts/cluster/staging.sh"
    stage_jars "$ROOT" "$FLINK_HOME" flink-cluster
    if [ "$SLUICE_STAGING" = single ]; then
      java @"$ROOT/.mvn/jvm.config" \
        -cp "$SLUICE_JAR:$(ls "$FLINK_HOME"/lib/hadoop-client-*.jar | paste -sd:)" \
        dev.sluice.runners.Sluice "$@" --runner=FlinkRunner --flinkMaster="$REST" \
        --filesToStage="$SLUICE_JAR"
    else
      # Flink's own client (flink run): the code jar is the job's jar, uploaded with it; -C adds
      # the cached dependency jar to the job's class loader on every node, read in place. Beam's
      # --flinkMaster=host:port path cannot do this: it uploads every jar it stages with each job
      # and clears pipeline.classpaths. [auto] takes the client's environment.
      FLINK_CONF_DIR=$CONF java @"$ROOT/.mvn/jvm.config" \
        -Dlog4j.configurationFile="$CONF/log4j2-cli.properties" -cp "$FLINK_HOME/lib/*" \
        org.apache.flink.client.cli.CliFrontend run -m "$REST" -C "file://$DEPS_JAR" \
        -c dev.sluice.runners.Sluice "$CODE_JAR" \
        "$@" --runner=FlinkRunner --flinkMaster='[auto]' --flinkConfDir="$CONF"
    fi
    ;;
  stop)
    pids=$(cat "$RUN"/*.pid 2>/dev/null || true)
    pids="$pids $(pgrep -f "$FLINK_HOME/lib/.* org.apache.flink.runtime.(entrypoint.StandaloneSessionClusterEntrypoint|taskexecutor.TaskManagerRunner)" || true)"
    for pid in $pids; do kill "$pid" 2>/dev/null || true; done
    for pid in $pids; do
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
      kill -9 "$pid" 2>/dev/null || true
    done
    rm -f "$RUN"/*.pid
    ;;
  *)
    echo "usage: scripts/flink-cluster.sh start|submit SLUICE-ARGS...|stop" >&2
    exit 2
    ;;
esac
