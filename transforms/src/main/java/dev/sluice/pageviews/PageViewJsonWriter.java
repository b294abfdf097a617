package dev.sluice.pageviews;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.sluice.io.FileFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * Writes page views to one JSON-lines file ({@link FileFormat#JSON}, or gzip-compressed with {@link
 * FileFormat#JSON_GZIP}) through Beam's file systems: one object per line with the fields {@code
 * customer}, {@code url}, {@code referrer} (null when there is none), {@code session_id} and {@code
 * ts} (epoch milliseconds, UTC), as {@code ReadHivePartitioned} reads them.
 */
public final class PageViewJsonWriter implements PageViewWriter {

  private static final JsonFactory JSON = new JsonFactory();

  private final JsonGenerator json;

  private PageViewJsonWriter(JsonGenerator json) {
    this.json = json;
  }

  /**
   * Opens a new file, replacing any file at {@code path}.
   *
   * @param path local path or URI of the file
   * @param format {@link FileFormat#JSON} or {@link FileFormat#JSON_GZIP}
   * @return the writer
   * @throws IllegalArgumentException if {@code format} is not a text format
   * @throws IOException if the file cannot be created
   */
  public static PageViewJsonWriter open(String path, FileFormat format) throws IOException {
    if (!format.isText()) {
      throw new IllegalArgumentException(format + " is not a JSON-lines format");
    }
    ResourceId file = FileSystems.matchNewResource(path, /* isDirectory= */ false);
    OutputStream out =
        Channels.newOutputStream(
            format.compression().writeCompressed(FileSystems.create(file, MimeTypes.TEXT)));
    JsonGenerator json = JSON.createGenerator(out);
    json.setRootValueSeparator(null);
    return new PageViewJsonWriter(json);
  }

  @Override
  public void write(PageView view) throws IOException {
    json.writeStartObject();
    json.writeStringField("customer", view.getCustomer());
    json.writeStringField("url", view.getUrl());
    json.writeStringField("referrer", view.getReferrer());
    json.writeStringField("session_id", view.getSessionId());
    json.writeNumberField("ts", view.getTs());
    json.writeEndObject();
    json.writeRaw('\n');
  }

  @Override
  public void close() throws IOException {
    json.close();
  }
}
