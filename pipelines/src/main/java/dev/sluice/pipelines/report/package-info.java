/**
 * Running a Sluice pipeline and reporting on it: the skeleton every pipeline runs through ({@link
 * dev.sluice.pipelines.report.PipelineRun}), progress lines while it runs, its picture, and the run
 * summary read from Beam metrics, written as {@code summary.json} beside the outputs and printed as
 * a short table.
 */
package dev.sluice.pipelines.report;
