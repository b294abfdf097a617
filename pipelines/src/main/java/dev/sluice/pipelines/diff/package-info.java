/**
 * The {@code diff} pipeline: are two outputs the same records, in any order? Reads JSON lines or
 * Parquet on each side and reports the records only in one of them.
 */
package dev.sluice.pipelines.diff;
