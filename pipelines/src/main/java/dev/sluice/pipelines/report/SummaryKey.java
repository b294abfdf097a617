package dev.sluice.pipelines.report;

import java.util.Locale;

/**
 * A key of {@code summary.json} and of the summary table: each pipeline names its counts and
 * settings once, as constants of an enum implementing this interface, and the key is the constant's
 * name in lower case ({@code EVENTS_READ} is {@code events_read}).
 */
public interface SummaryKey {

  /** The constant's name, as enums give it. */
  String name();

  /** The key as written: the name in lower case, words joined by {@code _}. */
  default String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
