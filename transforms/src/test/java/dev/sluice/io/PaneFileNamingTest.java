package dev.sluice.io;

import static org.junit.Assert.assertEquals;

import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.PaneInfo.Timing;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class PaneFileNamingTest {

  private static final PaneFileNaming JSON = PaneFileNaming.withSuffix(".json");

  @Test
  public void namesFilesByWindowStartPaneIndexTimingAndShard() {
    IntervalWindow hour =
        new IntervalWindow(Instant.parse("2017-09-17T01:00:00Z"), Duration.standardHours(1));
    assertEquals(
        "window=2017-09-17T01:00/pane-0-on_time-00000-of-00001.json",
        JSON.getFilename(
            hour,
            PaneInfo.createPane(true, false, Timing.ON_TIME, 0, 0),
            1,
            0,
            Compression.UNCOMPRESSED));
    assertEquals(
        "window=2017-09-17T01:00/pane-3-late-00001-of-00002.json",
        JSON.getFilename(
            hour,
            PaneInfo.createPane(false, false, Timing.LATE, 3, 2),
            2,
            1,
            Compression.UNCOMPRESSED));
  }

  @Test
  public void windowsOffTheMinuteKeepTheirSecondsAndTheGlobalWindowHasNoFolder() {
    IntervalWindow thirty =
        new IntervalWindow(Instant.parse("2017-09-17T01:00:30Z"), Duration.standardSeconds(30));
    assertEquals("window=2017-09-17T01:00:30/", PaneFileNaming.windowFolder(thirty));
    assertEquals(
        "pane-2-early-00000-of-00001.json",
        JSON.getFilename(
            GlobalWindow.INSTANCE,
            PaneInfo.createPane(false, false, Timing.EARLY, 2, -1),
            1,
            0,
            Compression.UNCOMPRESSED));
  }
}
