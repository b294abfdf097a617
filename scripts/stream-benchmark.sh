#!/usr/bin/env bash
# Streaming throughput of `pageviews --streaming=true` on each in-JVM runner, on this machine.
#
#   scripts/stream-benchmark.sh [--views=200000] [--rate=500] [--flinkRate=2000] [--work=DIR]
#
# 1. A realistic page-view tree of --views views (generate-pageviews, made once) is replayed into a
#    two-partition topic as fast as the broker takes it (`sluice produce --rate=0`).
# 2. Catch-up: the stream reads the whole topic on the DirectRunner, then on the embedded FlinkRunner,
#    each in a fresh JVM with -Xmx3g, and stops 5 s after the last message. Views/s = records read /
#    (wall time - 5 s); the wall time includes the JVM's and the runner's start.
# 3. Live: views with the clock's time as ts (`produce --timestamps=now`) for about 80 s, at --rate
#    views/s for the DirectRunner and --flinkRate for the FlinkRunner, 10-second windows,
#    --maxOutOfOrderness=2s, the stream started 6 s after the producer. The lag of each window is
#    the time its first on-time pane file was written minus the window's end (median and largest,
#    the first two windows and the last left out).
# The broker runs on 127.0.0.1:19192 for the duration (scripts/kafka.sh). Results: WORK/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VIEWS=200000
RATE=500
FLINK_RATE=2000
PARTS=catch-up,live
WORK=$ROOT/target/stream-bench
for arg in "$@"; do
  case "$arg" in
    --views=*) VIEWS=${arg#--views=} ;;
    --rate=*) RATE=${arg#--rate=} ;;
    --flinkRate=*) FLINK_RATE=${arg#--flinkRate=} ;;
    --parts=*) PARTS=${arg#--parts=} ;;
    --work=*) WORK=${arg#--work=} ;;
    *) echo "usage: scripts/stream-benchmark.sh [--views=N] [--rate=N] [--flinkRate=N] [--parts=catch-up,live] [--work=DIR]" >&2; exit 2 ;;
  esac
done
mkdir -p "$WORK/logs"
export KAFKA_PORT=19192 KAFKA_HOME=$WORK/kafka KAFKA_LIBS=$ROOT/target/kafka-libs
BROKER=127.0.0.1:$KAFKA_PORT

mvn -q -B -pl runners -am install -DskipTests
mvn -q -B -pl runners dependency:build-classpath -Dmdep.outputFile="$WORK/classpath.txt" > /dev/null
CP=$ROOT/runners/target/classes:$ROOT/pipelines/target/classes:$ROOT/transforms/target/classes:$(cat "$WORK/classpath.txt")
sluice() { java -Xmx3g @"$ROOT/.mvn/jvm.config" -cp "$CP" dev.sluice.runners.Sluice "$@"; }

TREE=$WORK/data/pageviews-realistic-$VIEWS
if [ ! -f "$TREE/_GENERATED" ]; then
  sluice generate-pageviews --count="$VIEWS" --dist=realistic --out="$TREE" > "$WORK/logs/generate.log" 2>&1
  touch "$TREE/_GENERATED"
fi

scripts/kafka.sh start
trap 'scripts/kafka.sh stop' EXIT
if [[ ,$PARTS, == *,catch-up,* ]]; then
TOPIC=catch-up-$VIEWS
sluice produce --input="$TREE" --kafkaBootstrapServers=$BROKER --topic=$TOPIC --partitions=2 --rate=0 \
  | tee "$WORK/logs/produce.log"

{
  echo "# Streaming throughput, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "$(nproc) cores, -Xmx3g; $VIEWS realistic views; command: scripts/stream-benchmark.sh --views=$VIEWS --rate=$RATE --flinkRate=$FLINK_RATE"
  echo
  echo "| run | records read | wall time | views/s |"
  echo "| --- | --- | --- | --- |"
} > "$WORK/results.md"

for runner in DirectRunner FlinkRunner; do
  out=$WORK/runs/catch-up-$runner
  rm -rf "$out"
  start=$(date +%s.%N)
  sluice pageviews --streaming=true --kafkaBootstrapServers=$BROKER --topic=$TOPIC --output="$out" \
    --stopAfterIdle=5s --runner=$runner --quiet > "$WORK/logs/catch-up-$runner.log" 2>&1
  end=$(date +%s.%N)
  read=$(python3 -c "import json;print(json.load(open('$out/summary.json'))['records_read'])")
  python3 - "$runner" "$read" "$start" "$end" >> "$WORK/results.md" <<'PY'
import sys
runner, read, start, end = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
wall = end - start
print(f"| catch-up, {runner} | {read:,} | {wall:.1f} s | {read / (wall - 5):,.0f} |")
PY
done

fi

{
  echo
  echo "Live: views stamped with the clock (produce --timestamps=now) for 80 s, 10-second windows,"
  echo "--maxOutOfOrderness=2s. Watermark lag: how long after a window's end its on-time pane file"
  echo "was written (file time minus window end), the first two windows and the last left out; the bound is included."
  echo
  echo "| runner | views/s offered | views read | lag median | lag largest |"
  echo "| --- | --- | --- | --- | --- |"
} >> "$WORK/results.md"
live() {
  local runner=$1 rate=$2
  local topic=live-$runner-$rate-$(date +%s) out=$WORK/runs/live-$runner-$rate
  rm -rf "$out"
  # The producer creates the topic; the stream starts once it exists and then follows it.
  timeout 90 java -Xmx3g @"$ROOT/.mvn/jvm.config" -cp "$CP" dev.sluice.runners.Sluice produce \
    --input="$TREE" --kafkaBootstrapServers=$BROKER --topic="$topic" --partitions=2 --rate="$rate" \
    --timestamps=now > "$WORK/logs/live-produce-$runner.log" 2>&1 &
  local producer=$!
  sleep 6
  sluice pageviews --streaming=true --kafkaBootstrapServers=$BROKER --topic="$topic" --output="$out" \
    --window=10s --maxOutOfOrderness=2s --stopAfterIdle=20s --progressSeconds=2 --runner="$runner" \
    > "$WORK/logs/live-$runner.log" 2>&1 || true
  wait $producer || true
  python3 - "$out" "$runner" "$rate" >> "$WORK/results.md" <<'PY'
import datetime, json, os, statistics, sys
out, runner, rate = sys.argv[1], sys.argv[2], int(sys.argv[3])
lags = []
root = os.path.join(out, "pageviews")
for window in sorted(os.listdir(root)) if os.path.isdir(root) else []:
    if not window.startswith("window="):
        continue
    stamp = window[len("window="):]
    start = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S" if stamp.count(":") == 2
                                       else "%Y-%m-%dT%H:%M").replace(tzinfo=datetime.timezone.utc)
    end = start.timestamp() + 10
    times = [os.path.getmtime(os.path.join(root, window, f))
             for f in os.listdir(os.path.join(root, window)) if "-on_time-" in f]
    if times:
        lags.append(min(times) - end)
steady = lags[2:-1]
read = json.load(open(os.path.join(out, "summary.json")))["records_read"]
if steady:
    print(f"| {runner} | {rate:,} | {read:,} | {statistics.median(steady):.1f} s | {max(steady):.1f} s |")
else:
    print(f"| {runner} | {rate:,} | {read:,} | no on-time pane | |")
PY
}
if [[ ,$PARTS, == *,live,* ]]; then
  live DirectRunner "$RATE"
  live FlinkRunner "$FLINK_RATE"
fi
cat "$WORK/results.md"
