#!/usr/bin/env bash
# Seconds from an edited transform to a job running on a local cluster: the loop of a data engineer
# changing Sluice (or a pipeline built on it) and trying the change on Spark or Flink.
#
#   scripts/edit-to-job.sh spark|flink [ROUNDS]
#
# Each round makes a one-line change to a transform (a constant in ReadPageViewsFn, which
# `pageviews` runs), builds with BUILD (default: the code jar only, see the README's "Iterating on a
# cluster"), submits `pageviews` on the bundled tree with scripts/CLUSTER-cluster.sh submit, and
# prints one line: build seconds, seconds from the edit until the cluster lists the job as running,
# and seconds from the edit until the job has finished. The file is restored at the end. The
# cluster must be started first (scripts/CLUSTER-cluster.sh start).
#
# BUILD='mvn -B -o -q package -pl runners -am -DskipTests' with SLUICE_STAGING=single measures the
# one-shaded-jar loop instead.
set -euo pipefail
cd "$(dirname "$0")/.."
CLUSTER=${1:?usage: scripts/edit-to-job.sh spark|flink [ROUNDS]}
ROUNDS=${2:-3}
BUILD=${BUILD:-mvn -B -o -q package -pl runners -am -DskipTests -Pcode-jar}
FILE=transforms/src/main/java/dev/sluice/pageviews/ReadPageViewsFn.java
OUT=${TMPDIR:-/tmp}/edit-to-job-$CLUSTER
# The committed file is the original: a run killed before its restore leaves no edit behind.
git show "HEAD:$FILE" > "$OUT.java.orig"
git diff --quiet -- "$FILE" || { echo "edit-to-job: $FILE has uncommitted changes" >&2; exit 2; }
trap 'cp "$OUT.java.orig" "$FILE"' EXIT

now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# Prints when the cluster first lists a running job or application.
watch_running() {
  while true; do
    if [ "$CLUSTER" = flink ]; then
      curl -sf http://127.0.0.1:8081/jobs/overview 2>/dev/null | grep -q '"state":"RUNNING"' && break
    else
      curl -sf http://127.0.0.1:8080/json/ 2>/dev/null | grep -q '"state" *: *"RUNNING"' && break
    fi
    sleep 0.1
  done
  now
}

echo "round build_s edit_to_running_s edit_to_finished_s staging=${SLUICE_STAGING:-split}"
for round in $(seq 1 "$ROUNDS"); do
  start=$(now)
  cp "$OUT.java.orig" "$FILE"
  # The one-line change: a constant, compiled into the class, after its opening brace.
  awk -v line="  static final String EDIT_TO_JOB = \"$round-$start\";" \
    '{ print } !done && seen && /\{$/ { print line; done = 1 } /^final class ReadPageViewsFn/ { seen = 1 }' \
    "$OUT.java.orig" > "$FILE"
  $BUILD > "$OUT.build.log" 2>&1 || { cat "$OUT.build.log" >&2; exit 1; }
  built=$(now)
  watch_running > "$OUT.running" &
  watcher=$!
  rm -rf "$OUT.output"
  "scripts/$CLUSTER-cluster.sh" submit pageviews --input="$PWD/testdata/pageviews/input" \
    --output="$OUT.output" > "$OUT.log" 2>&1 || { cat "$OUT.log" >&2; kill $watcher; exit 1; }
  finished=$(now)
  kill $watcher 2>/dev/null || true
  running=$(cat "$OUT.running" 2>/dev/null || echo "$finished")
  echo "$round $(seconds "$start" "$built") $(seconds "$start" "$running") $(seconds "$start" "$finished")"
done
