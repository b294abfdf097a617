package dev.sluice.pageviews;

import java.io.IOException;

/**
 * Writes page views to one file, outside a pipeline (generators, test fixtures): {@link
 * PageViewParquetWriter} or {@link PageViewJsonWriter}. Not thread-safe; close it to finish the
 * file.
 */
public interface PageViewWriter extends AutoCloseable {

  /**
   * Appends one page view.
   *
   * @throws IOException if it cannot be written
   */
  void write(PageView view) throws IOException;

  @Override
  void close() throws IOException;
}
