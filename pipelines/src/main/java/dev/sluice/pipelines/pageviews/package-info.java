/**
 * The {@code pageviews} pipeline (hourly page-view rollups from a Hive-partitioned tree) and the
 * {@code generate-pageviews} generator of such trees for tests and benchmarks.
 */
package dev.sluice.pipelines.pageviews;
