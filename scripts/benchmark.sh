#!/usr/bin/env bash
# The benchmark: Sluice's pipelines on each runner against the same jobs in native Spark SQL.
# Usage, from anywhere: scripts/benchmark.sh [--flags]   (scripts/benchmark.sh --help lists them)
# Builds what it needs (benchmarks and the modules it depends on), then runs
# dev.sluice.benchmarks.Benchmark, which starts one fresh JVM per run. Results go to
# target/benchmarks/results.md unless --work says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -q -B -pl benchmarks -am compile
classpath="benchmarks/target/classes:$(cat benchmarks/target/runtime-classpath.txt)"
exec java @.mvn/jvm.config -cp "$classpath" dev.sluice.benchmarks.Benchmark "$@"
