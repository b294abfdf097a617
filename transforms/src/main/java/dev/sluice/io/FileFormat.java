package dev.sluice.io;

import java.util.Locale;

/** The file formats Sluice writes and reads: JSON lines and Parquet. */
public enum FileFormat {
  /** One JSON object per line, UTF-8, fields in schema order, nulls written as {@code null}. */
  JSON(".json"),
  /** Apache Parquet with Snappy compression, one column per (flattened) schema field. */
  PARQUET(".parquet");

  private final String suffix;

  FileFormat(String suffix) {
    this.suffix = suffix;
  }

  /** The file name suffix of this format, with its dot: {@code .json} or {@code .parquet}. */
  public String suffix() {
    return suffix;
  }

  /**
   * Parses a format name as users type it on the command line.
   *
   * @param name {@code json} or {@code parquet}, in any case
   * @return the format
   * @throws IllegalArgumentException for any other name, with the allowed names
   */
  public static FileFormat parse(String name) {
    if (name != null) {
      for (FileFormat format : values()) {
        if (format.name().equalsIgnoreCase(name.trim())) {
          return format;
        }
      }
    }
    throw new IllegalArgumentException("unknown format '" + name + "': expected json or parquet");
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
