package dev.sluice.churn;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.joda.time.Instant;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/** {@link EventTimeRange}: {@code [from, to)}, open ends, and the empty range refused. */
@RunWith(JUnit4.class)
public class EventTimeRangeTest {

  private static final Instant OCT = Instant.parse("2018-10-01T00:00:00Z");
  private static final Instant NOV = Instant.parse("2018-11-01T00:00:00Z");

  @Test
  public void keepsFromAndDropsTo() {
    EventTimeRange october = EventTimeRange.of(OCT, NOV);
    assertTrue(october.contains(OCT.getMillis()));
    assertTrue(october.contains(NOV.getMillis() - 1));
    assertFalse(october.contains(NOV.getMillis()));
    assertFalse(october.contains(OCT.getMillis() - 1));
    assertFalse(october.isAll());
    assertEquals("[2018-10-01T00:00:00.000Z, 2018-11-01T00:00:00.000Z)", october.toString());
  }

  @Test
  public void openEnds() {
    assertTrue(EventTimeRange.of(null, NOV).contains(Long.MIN_VALUE));
    assertTrue(EventTimeRange.of(OCT, null).contains(Long.MAX_VALUE - 1));
    assertTrue(EventTimeRange.of(null, null).isAll());
    assertTrue(EventTimeRange.ALL.contains(0));
  }

  @Test
  public void anEmptyRangeIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> EventTimeRange.of(NOV, OCT));
    assertThrows(IllegalArgumentException.class, () -> EventTimeRange.of(OCT, OCT));
  }
}
