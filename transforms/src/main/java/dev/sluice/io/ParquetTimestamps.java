package dev.sluice.io;

import org.apache.parquet.schema.LogicalTypeAnnotation;

/**
 * The unit of Parquet {@code INT64} timestamps: milliseconds, microseconds or nanoseconds, by the
 * column's {@code TIMESTAMP} annotation; a plain {@code INT64} is taken as epoch milliseconds.
 * ({@code INT96} timestamps: {@link Int96Timestamps}.)
 */
public final class ParquetTimestamps {

  private ParquetTimestamps() {}

  /**
   * What a value of a column with annotation {@code logical} is divided by to give epoch
   * milliseconds (rounding down): 1, 1,000 or 1,000,000.
   *
   * @param logical the column's logical type annotation, or null
   * @return the divisor
   */
  public static long millisDivisor(LogicalTypeAnnotation logical) {
    if (logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) {
      switch (((LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) logical).getUnit()) {
        case MICROS:
          return 1_000;
        case NANOS:
          return 1_000_000;
        default:
          return 1;
      }
    }
    return 1;
  }
}
