#!/usr/bin/env bash
# A Spark 3.5 standalone cluster on 127.0.0.1 from Maven Central jars: one master, one worker
# (SPARK_WORKERS=N starts N, each with 2 cores and 3 GB).
#
#   scripts/spark-cluster.sh start              builds SPARK_HOME (once), starts master and workers
#   scripts/spark-cluster.sh submit ARGS...     spark-submit of sluice: ARGS are sluice's (e.g. churn
#                                               --input=... --output=...); the dependency jar is
#                                               staged once, then only sluice-code.jar is shipped
#                                               (scripts/cluster/staging.sh, SLUICE_STAGING)
#   scripts/spark-cluster.sh stop               stops them
#
# Ports: master 7077 (UI 8080), worker UIs 8082, 8083, ... Everything listens on 127.0.0.1 only.
# SPARK_HOME defaults to target/spark-home; the JVM options (Spark's --add-opens) are .mvn/jvm.config.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SPARK_HOME=${SPARK_HOME:-$ROOT/target/spark-home}
RUN=$SPARK_HOME/run
MASTER=spark://127.0.0.1:7077
WORKERS=${SPARK_WORKERS:-1}
# SPARK_SCALA_VERSION: without it the launcher looks for source build directories.
export SPARK_HOME SPARK_LOCAL_IP=127.0.0.1 SPARK_MASTER_HOST=127.0.0.1 SPARK_SCALA_VERSION=2.12

java_spark() {
  java @"$ROOT/.mvn/jvm.config" -Xmx1g -cp "$SPARK_HOME/conf:$SPARK_HOME/jars/*" "$@"
}

build_home() {
  if [ ! -f "$SPARK_HOME/jars/.complete" ]; then
    mkdir -p "$SPARK_HOME/jars" "$SPARK_HOME/conf" "$RUN"
    mvn -q -B -f "$ROOT/scripts/cluster/spark/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$SPARK_HOME/jars" -DincludeScope=runtime
    # Spark's launcher takes SPARK_HOME/jars as the executors' classpath only in a
    # distribution, which a RELEASE file marks.
    echo "Spark $(basename "$(ls "$SPARK_HOME"/jars/spark-core_*.jar)" .jar) from Maven Central" \
      > "$SPARK_HOME/RELEASE"
    touch "$SPARK_HOME/jars/.complete"
  fi
  mkdir -p "$RUN"
}

wait_for_worker() {
  for _ in $(seq 1 60); do
    if curl -sf http://127.0.0.1:8080/json/ 2>/dev/null | grep -q "\"aliveworkers\" *: *$WORKERS\b"; then
      return 0
    fi
    sleep 1
  done
  echo "spark-cluster: $WORKERS worker(s) did not register within 60 s; see $RUN/*.log" >&2
  return 1
}

case "${1:-}" in
  start)
    build_home
    if curl -sf http://127.0.0.1:8080/json/ > /dev/null 2>&1; then
      echo "spark-cluster: something already serves http://127.0.0.1:8080; stop it first" >&2
      exit 1
    fi
    java_spark org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 7077 \
      --webui-port 8080 > "$RUN/master.log" 2>&1 &
    echo $! > "$RUN/master.pid"
    for i in $(seq 1 "$WORKERS"); do
      suffix=$([ "$i" = 1 ] && echo "" || echo "-$i")
      # Each application's folder holds a copy of the local: dependency jar (251 MB): folders of
      # finished applications go after 10 minutes.
      java_spark -Dspark.worker.cleanup.enabled=true -Dspark.worker.cleanup.interval=60 \
        -Dspark.worker.cleanup.appDataTtl=600 \
        org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 2 --memory 3g \
        --webui-port $((8081 + i)) --work-dir "$RUN/work$suffix" "$MASTER" \
        > "$RUN/worker$suffix.log" 2>&1 &
      echo $! > "$RUN/worker$suffix.pid"
    done
    wait_for_worker
    echo "spark-cluster: master $MASTER (UI http://127.0.0.1:8080), $WORKERS worker(s) with 2 cores each"
    ;;
  submit)
    shift
    # shellcheck source=cluster/staging.sh
    . "$ROOT/scripts/cluster/staging.sh"
    stage_jars "$ROOT" "$SPARK_HOME" spark-cluster
    submit=(java_spark org.apache.spark.deploy.SparkSubmit --master "$MASTER"
      --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1
      --conf spark.ui.enabled=false --executor-memory 2g --class dev.sluice.runners.Sluice)
    if [ "$SLUICE_STAGING" = single ]; then
      "${submit[@]}" "$SLUICE_JAR" "$@" --runner=SparkRunner --sparkMaster="$MASTER" \
        --filesToStage="$SLUICE_JAR"
    else
      for arg in "$@"; do
        case "$arg" in
          --sparkMaster=*|--filesToStage=*)
            echo "spark-cluster: $arg would make Beam replace spark.jars (and upload the dependency jar with every job); leave it out, or use SLUICE_STAGING=single" >&2
            exit 2
            ;;
        esac
      done
      # local: a jar at that path on every node, read there, never uploaded. spark-submit's
      # --master and jars apply (sluice sets no --sparkMaster under spark-submit, and Beam then
      # leaves spark.jars as it is).
      "${submit[@]}" --jars "local:$DEPS_JAR" "$CODE_JAR" "$@" --runner=SparkRunner
    fi
    ;;
  stop)
    # The pid files, and any master or worker of this SPARK_HOME whose pid file is gone
    # (mvn clean removes target/).
    pids=$(cat "$RUN"/*.pid 2>/dev/null || true)
    pids="$pids $(pgrep -f "$SPARK_HOME/jars/.* org.apache.spark.deploy.(master.Master|worker.Worker)" || true)"
    for pid in $pids; do
      kill "$pid" 2>/dev/null || true
    done
    # Wait for them to go, so that a new start finds its ports free.
    for pid in $pids; do
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
      kill -9 "$pid" 2>/dev/null || true
    done
    rm -f "$RUN"/*.pid
    ;;
  *)
    echo "usage: scripts/spark-cluster.sh start|submit SLUICE-ARGS...|stop" >&2
    exit 2
    ;;
esac
