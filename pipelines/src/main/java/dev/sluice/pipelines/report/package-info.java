/**
 * The run report every Sluice pipeline ends with: Beam metrics read from the finished {@code
 * PipelineResult}, written as {@code summary.json} beside the outputs and printed as a short table.
 */
package dev.sluice.pipelines.report;
