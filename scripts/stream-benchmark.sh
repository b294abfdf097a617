#!/usr/bin/env bash
# Streaming throughput of `pageviews --streaming=true` on each in-JVM runner, on this machine.
#
#   scripts/stream-benchmark.sh [--views=200000] [--rate=1000] [--work=target/stream-bench]
#
# 1. A realistic page-view tree of --views views (generate-pageviews, made once) is replayed into a
#    two-partition topic as fast as the broker takes it (`sluice produce --rate=0`).
# 2. Catch-up: the stream reads the whole topic on the DirectRunner, then on the embedded FlinkRunner,
#    each in a fresh JVM with -Xmx3g, and stops 5 s after the last message. Views/s = records read /
#    (wall time - 5 s); the wall time includes the JVM's and the runner's start.
# 3. Live: views with the clock's time as ts (`produce --timestamps=now`) at --rate views/s for 60 s,
#    the stream on the DirectRunner with --maxOutOfOrderness=2s; the progress lines give the
#    watermark's lag behind the clock, which the script reports (median and largest).
# The broker runs on 127.0.0.1:19192 for the duration (scripts/kafka.sh). Results: WORK/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VIEWS=200000
RATE=1000
WORK=$ROOT/target/stream-bench
for arg in "$@"; do
  case "$arg" in
    --views=*) VIEWS=${arg#--views=} ;;
    --rate=*) RATE=${arg#--rate=} ;;
    --work=*) WORK=${arg#--work=} ;;
    *) echo "usage: scripts/stream-benchmark.sh [--views=N] [--rate=N] [--work=DIR]" >&2; exit 2 ;;
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
TOPIC=catch-up-$VIEWS
sluice produce --input="$TREE" --kafkaBootstrapServers=$BROKER --topic=$TOPIC --partitions=2 --rate=0 \
  | tee "$WORK/logs/produce.log"

{
  echo "# Streaming throughput, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "$(nproc) cores, -Xmx3g; $VIEWS realistic views; command: scripts/stream-benchmark.sh --views=$VIEWS --rate=$RATE"
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

LIVE=live-$RATE-$(date +%s)
out=$WORK/runs/live-DirectRunner
rm -rf "$out"
sluice pageviews --streaming=true --kafkaBootstrapServers=$BROKER --topic=$LIVE --output="$out" \
  --window=1m --maxOutOfOrderness=2s --stopAfterIdle=30s --progressSeconds=2 \
  > "$WORK/logs/live.log" 2>&1 &
stream=$!
sleep 8
timeout 75 java -Xmx3g @"$ROOT/.mvn/jvm.config" -cp "$CP" dev.sluice.runners.Sluice produce \
  --input="$TREE" --kafkaBootstrapServers=$BROKER --topic=$LIVE --partitions=2 --rate="$RATE" \
  --timestamps=now > "$WORK/logs/live-produce.log" 2>&1 || true
wait $stream || true
python3 - "$WORK/logs/live.log" "$RATE" >> "$WORK/results.md" <<'PY'
import re, statistics, sys
lags = []
for line in open(sys.argv[1]):
    m = re.search(r"\(([0-9.,]+) s behind the clock\)", line)
    if m:
        lags.append(float(m.group(1).replace(",", "")))
steady = lags[3:] if len(lags) > 6 else lags
if steady:
    print()
    print(f"Live on the DirectRunner at {int(sys.argv[2]):,} views/s offered: watermark lag behind the clock "
          f"median {statistics.median(steady):.1f} s, largest {max(steady):.1f} s "
          f"({len(steady)} progress lines, --maxOutOfOrderness=2s included).")
else:
    print()
    print("Live on the DirectRunner: no watermark lag under two minutes was reported (see logs/live.log).")
PY
cat "$WORK/results.md"
