/**
 * File input and output around Sluice's transforms: the {@link dev.sluice.io.FileFormat}s (JSON
 * lines, gzip JSON lines, Parquet) with a reader each, reading any mix of them into decoded values
 * ({@link dev.sluice.io.ReadRecords}, {@link dev.sluice.io.ReadHivePartitioned}) and writing any
 * schema-aware {@code PCollection} as files ({@link dev.sluice.io.WriteRecords}). Paths are
 * anything Beam's {@code FileSystems} resolve: local paths, globs and registered schemes.
 */
package dev.sluice.io;
