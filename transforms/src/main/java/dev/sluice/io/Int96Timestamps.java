package dev.sluice.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.parquet.io.api.Binary;

/**
 * Parquet's legacy INT96 timestamps, as Spark, Hive and Impala write them: 12 bytes, little-endian,
 * the nanoseconds of the day (8 bytes) then the Julian day (4 bytes), UTC.
 */
public final class Int96Timestamps {

  /** The Julian day of 1970-01-01. */
  private static final long JULIAN_DAY_OF_EPOCH = 2_440_588L;

  private static final long MILLIS_PER_DAY = 86_400_000L;
  private static final long NANOS_PER_MILLI = 1_000_000L;

  private Int96Timestamps() {}

  /**
   * Reads an INT96 timestamp.
   *
   * @param int96 the 12 bytes of the value
   * @return epoch milliseconds, UTC (sub-millisecond digits dropped, rounding down)
   */
  public static long toEpochMillis(Binary int96) {
    ByteBuffer bytes = int96.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    long nanosOfDay = bytes.getLong();
    long julianDay = bytes.getInt();
    return (julianDay - JULIAN_DAY_OF_EPOCH) * MILLIS_PER_DAY
        + Math.floorDiv(nanosOfDay, NANOS_PER_MILLI);
  }

  /**
   * Writes an INT96 timestamp.
   *
   * @param epochMillis epoch milliseconds, UTC
   * @return the 12 bytes of the value
   */
  public static Binary fromEpochMillis(long epochMillis) {
    long julianDay = Math.floorDiv(epochMillis, MILLIS_PER_DAY) + JULIAN_DAY_OF_EPOCH;
    long nanosOfDay = Math.floorMod(epochMillis, MILLIS_PER_DAY) * NANOS_PER_MILLI;
    ByteBuffer bytes = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    bytes.putLong(nanosOfDay).putInt((int) julianDay);
    return Binary.fromConstantByteArray(bytes.array());
  }
}
