/**
 * File input and output glue around Sluice's transforms: reading text lines together with the file
 * they came from, and writing any schema-aware {@code PCollection} as JSON lines or Parquet. Paths
 * are anything Beam's {@code FileSystems} resolve: local paths, globs and registered schemes.
 */
package dev.sluice.io;
