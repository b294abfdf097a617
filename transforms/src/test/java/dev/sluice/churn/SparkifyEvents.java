package dev.sluice.churn;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;

/** jqwik generators of {@link SparkifyEvent}s, for the property tests of this package. */
final class SparkifyEvents {

  /** The Sparkify columns in Sparkify's order, as the tests pin them (not read from the code). */
  static final List<String> FIELDS =
      List.of(
          "artist",
          "auth",
          "firstName",
          "gender",
          "itemInSession",
          "lastName",
          "length",
          "level",
          "location",
          "method",
          "page",
          "registration",
          "sessionId",
          "song",
          "status",
          "ts",
          "userAgent",
          "userId");

  private SparkifyEvents() {}

  /**
   * Events with every optional field null or set, strings from {@code texts}, any longs, and
   * lengths from {@code lengths}.
   */
  static Arbitrary<SparkifyEvent> any(Arbitrary<String> texts, Arbitrary<Double> lengths) {
    Arbitrary<String> text = texts.injectNull(0.3);
    Arbitrary<Long> number = Arbitraries.longs().injectNull(0.3);
    return Builders.withBuilder(SparkifyEvent::builder)
        .use(text)
        .in(SparkifyEvent.Builder::setArtist)
        .use(text)
        .in(SparkifyEvent.Builder::setAuth)
        .use(text)
        .in(SparkifyEvent.Builder::setFirstName)
        .use(text)
        .in(SparkifyEvent.Builder::setGender)
        .use(number)
        .in(SparkifyEvent.Builder::setItemInSession)
        .use(text)
        .in(SparkifyEvent.Builder::setLastName)
        .use(lengths.injectNull(0.3))
        .in(SparkifyEvent.Builder::setLength)
        .use(text)
        .in(SparkifyEvent.Builder::setLevel)
        .use(text)
        .in(SparkifyEvent.Builder::setLocation)
        .use(text)
        .in(SparkifyEvent.Builder::setMethod)
        .use(texts)
        .in(SparkifyEvent.Builder::setPage)
        .use(number)
        .in(SparkifyEvent.Builder::setRegistration)
        .use(number)
        .in(SparkifyEvent.Builder::setSessionId)
        .use(text)
        .in(SparkifyEvent.Builder::setSong)
        .use(number)
        .in(SparkifyEvent.Builder::setStatus)
        .use(Arbitraries.longs())
        .in(SparkifyEvent.Builder::setTs)
        .use(text)
        .in(SparkifyEvent.Builder::setUserAgent)
        .use(texts)
        .in(SparkifyEvent.Builder::setUserId)
        .build(SparkifyEvent.Builder::build);
  }
}
