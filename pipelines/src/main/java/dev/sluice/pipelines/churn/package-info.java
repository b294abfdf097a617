/**
 * The {@code churn} pipeline: reads a Sparkify-format event log, labels every event of a known user
 * with churn, and writes the labelled, stayed, cancelled and dead-letter outputs with a run
 * summary.
 */
package dev.sluice.pipelines.churn;
