package dev.sluice.runners;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP/1.1 proxy for tests that stands between an S3 client and an S3 API server on 127.0.0.1
 * and fails a chosen fraction of requests, each with one of the faults a busy object store shows:
 * {@code 503 SlowDown} (S3's throttling answer), {@code 500 InternalError}, a connection reset
 * before any answer, a download ({@code GET}) whose connection is reset halfway through its body,
 * or a request held back for {@link #STALL_MILLIS} ms before it is passed on. Every other request,
 * and a held-back one after its wait, is passed on byte for byte (headers unchanged, so AWS SigV4
 * signatures still hold), with its response.
 *
 * <p>The proxy answers {@code Expect: 100-continue} itself and does not pass that header on, so
 * that a fault can be decided before the body is sent. Faults come from a seeded {@link Random},
 * drawn in the order requests arrive; with parallel connections that order, and so which request
 * gets which fault, varies from run to run.
 */
final class FaultInjectingProxy implements AutoCloseable {

  /** What a failed request gets. */
  enum Fault {
    SLOW_DOWN_503,
    INTERNAL_ERROR_500,
    CONNECTION_RESET,
    /** A {@code GET}'s answer cut off by a reset after half its body; other requests pass. */
    RESET_MID_DOWNLOAD,
    STALLED
  }

  /** How long a stalled answer is held back, in milliseconds. */
  static final long STALL_MILLIS = 1_500;

  private final ServerSocket server;
  private final int upstreamPort;
  private final Random random;
  private final ExecutorService connections = Executors.newCachedThreadPool();
  private final AtomicLong requests = new AtomicLong();
  private final Map<Fault, AtomicLong> faults = new EnumMap<>(Fault.class);
  private volatile double faultRate;
  private volatile Fault[] kinds = Fault.values();

  private FaultInjectingProxy(ServerSocket server, int upstreamPort, long seed) {
    this.server = server;
    this.upstreamPort = upstreamPort;
    this.random = new Random(seed);
    for (Fault fault : Fault.values()) {
      faults.put(fault, new AtomicLong());
    }
  }

  /** Starts a proxy to {@code 127.0.0.1:upstreamPort} on a free port, with no faults yet. */
  static FaultInjectingProxy start(int upstreamPort, long seed) throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    FaultInjectingProxy proxy = new FaultInjectingProxy(server, upstreamPort, seed);
    Thread accept = new Thread(proxy::accept, "fault-injecting-proxy");
    accept.setDaemon(true);
    accept.start();
    return proxy;
  }

  /** The port it listens on, on 127.0.0.1. */
  int port() {
    return server.getLocalPort();
  }

  /**
   * Gives this fraction of the requests from now on one of {@code kinds} (every kind when none is
   * named), each kind as likely: 0 passes all.
   */
  void setFaultRate(double rate, Fault... kinds) {
    this.kinds = kinds.length == 0 ? Fault.values() : kinds.clone();
    this.faultRate = rate;
  }

  /** The requests seen so far. */
  long requests() {
    return requests.get();
  }

  /** The faults injected so far, by kind. */
  Map<Fault, Long> faults() {
    Map<Fault, Long> counts = new EnumMap<>(Fault.class);
    faults.forEach((fault, count) -> counts.put(fault, count.get()));
    return counts;
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        connections.execute(() -> serve(client));
      } catch (IOException e) {
        // Closed: the proxy stops.
      }
    }
  }

  /** Serves one client connection, request after request, over one upstream connection. */
  private void serve(Socket client) {
    try (client;
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
      InputStream fromClient = client.getInputStream();
      OutputStream toClient = client.getOutputStream();
      InputStream fromUpstream = upstream.getInputStream();
      OutputStream toUpstream = upstream.getOutputStream();
      while (true) {
        Head request = Head.read(fromClient);
        if (request == null) {
          return;
        }
        requests.incrementAndGet();
        Fault fault = nextFault();
        if (fault == Fault.RESET_MID_DOWNLOAD && !request.method().equals("GET")) {
          fault = null;
        }
        if (fault != null && fault != Fault.RESET_MID_DOWNLOAD) {
          faults.get(fault).incrementAndGet();
        }
        if (fault == Fault.CONNECTION_RESET) {
          client.setSoLinger(true, 0);
          return;
        }
        if (fault == Fault.SLOW_DOWN_503 || fault == Fault.INTERNAL_ERROR_500) {
          answerError(toClient, request, fault);
          return;
        }
        if (fault == Fault.STALLED) {
          Thread.sleep(STALL_MILLIS);
        }
        boolean expectsContinue = "100-continue".equalsIgnoreCase(request.header("expect"));
        if (expectsContinue) {
          toClient.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          toClient.flush();
        }
        toUpstream.write(request.bytesWithout("expect"));
        relayBody(request, fromClient, toUpstream);
        toUpstream.flush();
        Head response;
        do {
          response = Head.read(fromUpstream);
          if (response == null) {
            return;
          }
        } while (response.status() / 100 == 1);
        if (fault == Fault.RESET_MID_DOWNLOAD
            && !response.chunked()
            && response.status() / 100 == 2
            && response.contentLength() > 1) {
          faults.get(fault).incrementAndGet();
          toClient.write(response.bytesWithout());
          copy(fromUpstream, toClient, response.contentLength() / 2);
          toClient.flush();
          client.setSoLinger(true, 0);
          return;
        }
        toClient.write(response.bytesWithout());
        boolean closes = relayResponseBody(request, response, fromUpstream, toClient);
        toClient.flush();
        if (closes || response.closes() || request.closes()) {
          return;
        }
      }
    } catch (IOException e) {
      // A side closed or reset the connection: so does the proxy.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private synchronized Fault nextFault() {
    if (random.nextDouble() >= faultRate) {
      return null;
    }
    Fault[] choices = kinds;
    return choices[random.nextInt(choices.length)];
  }

  private static void answerError(OutputStream out, Head request, Fault fault) throws IOException {
    String code = fault == Fault.SLOW_DOWN_503 ? "SlowDown" : "InternalError";
    String message =
        fault == Fault.SLOW_DOWN_503
            ? "Please reduce your request rate."
            : "We encountered an internal error. Please try again.";
    byte[] body =
        ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>"
                + code
                + "</Code><Message>"
                + message
                + "</Message></Error>")
            .getBytes(StandardCharsets.UTF_8);
    boolean head = request.method().equals("HEAD");
    String status = fault == Fault.SLOW_DOWN_503 ? "503 Slow Down" : "500 Internal Server Error";
    out.write(
        ("HTTP/1.1 "
                + status
                + "\r\nContent-Type: application/xml\r\nContent-Length: "
                + (head ? 0 : body.length)
                + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    if (!head) {
      out.write(body);
    }
    out.flush();
  }

  private static void relayBody(Head head, InputStream in, OutputStream out) throws IOException {
    if (head.chunked()) {
      relayChunks(in, out);
    } else {
      copy(in, out, head.contentLength());
    }
  }

  /** Relays the response body; true when it ends with the connection. */
  private static boolean relayResponseBody(
      Head request, Head response, InputStream in, OutputStream out) throws IOException {
    int status = response.status();
    if (request.method().equals("HEAD") || status == 204 || status == 304) {
      return false;
    }
    if (response.chunked()) {
      relayChunks(in, out);
      return false;
    }
    if (response.header("content-length") != null) {
      copy(in, out, response.contentLength());
      return false;
    }
    in.transferTo(out);
    return true;
  }

  private static void relayChunks(InputStream in, OutputStream out) throws IOException {
    while (true) {
      String sizeLine = Head.line(in);
      out.write((sizeLine + "\r\n").getBytes(StandardCharsets.US_ASCII));
      int semicolon = sizeLine.indexOf(';');
      long size =
          Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
      if (size == 0) {
        String trailer;
        do {
          trailer = Head.line(in);
          out.write((trailer + "\r\n").getBytes(StandardCharsets.US_ASCII));
        } while (!trailer.isEmpty());
        return;
      }
      copy(in, out, size);
      String end = Head.line(in);
      out.write((end + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }
  }

  private static void copy(InputStream in, OutputStream out, long length) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long left = length;
    while (left > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        throw new IOException("the stream ended " + left + " bytes early");
      }
      out.write(buffer, 0, n);
      left -= n;
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    connections.shutdownNow();
  }

  /** The start line and headers of a request or a response. */
  private static final class Head {
    private final String startLine;
    private final List<String[]> headers;

    private Head(String startLine, List<String[]> headers) {
      this.startLine = startLine;
      this.headers = headers;
    }

    /** Reads a head, or null when the stream ends before one starts. */
    static Head read(InputStream in) throws IOException {
      String start;
      try {
        start = line(in);
      } catch (IOException e) {
        return null;
      }
      if (start.isEmpty()) {
        return null;
      }
      List<String[]> headers = new ArrayList<>();
      String line;
      while (!(line = line(in)).isEmpty()) {
        int colon = line.indexOf(':');
        headers.add(new String[] {line.substring(0, colon), line.substring(colon + 1).trim()});
      }
      return new Head(start, headers);
    }

    /** One CRLF-ended line without its end; IOException when the stream ends first. */
    static String line(InputStream in) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != '\n') {
        if (b < 0) {
          throw new IOException("the stream ended inside a line");
        }
        if (b != '\r') {
          bytes.write(b);
        }
      }
      return bytes.toString(StandardCharsets.ISO_8859_1);
    }

    String method() {
      return startLine.substring(0, startLine.indexOf(' '));
    }

    int status() {
      return Integer.parseInt(startLine.split(" ", 3)[1]);
    }

    String header(String name) {
      for (String[] header : headers) {
        if (header[0].equalsIgnoreCase(name)) {
          return header[1];
        }
      }
      return null;
    }

    long contentLength() {
      String length = header("content-length");
      return length == null ? 0 : Long.parseLong(length);
    }

    boolean chunked() {
      String encoding = header("transfer-encoding");
      return encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked");
    }

    boolean closes() {
      return "close".equalsIgnoreCase(header("connection"));
    }

    /** The head as bytes, leaving out the headers named (lower case). */
    byte[] bytesWithout(String... names) {
      StringBuilder text = new StringBuilder(startLine).append("\r\n");
      for (String[] header : headers) {
        if (!List.of(names).contains(header[0].toLowerCase(Locale.ROOT))) {
          text.append(header[0]).append(": ").append(header[1]).append("\r\n");
        }
      }
      return text.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }
  }
}
