/**
 * The {@code convert} pipeline: a Sparkify-format event log from JSON lines to a compressed,
 * optionally Hive-partitioned Parquet tree, the first step the churn write-up took with its 12 GB
 * log. Later runs read the tree faster, and prune it by time.
 */
package dev.sluice.pipelines.convert;
