package dev.sluice.runners;

import java.io.IOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 API server for tests: S3Proxy (its {@code jar-with-dependencies}, copied to {@code
 * runners/target/s3proxy/} by the build) in its own JVM, on 127.0.0.1 and a free port, with the
 * filesystem backend under a folder of the test's. It checks AWS SigV4 signatures as S3 does.
 */
final class S3ProxyServer implements AutoCloseable {

  /** The access key ID the server knows. */
  static final String ACCESS_KEY_ID = "sluice-it";

  /** The secret key; unique per run, so that finding it in any output is a leak. */
  static final String SECRET_KEY = "secret-" + UUID.randomUUID();

  private final Process process;
  private final int port;
  private final Path log;

  private S3ProxyServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts the server with its data and log under {@code dir}, and waits until it listens. */
  static S3ProxyServer start(Path dir) throws IOException, InterruptedException {
    String jar = System.getProperty("s3proxy.jar", "runners/target/s3proxy/s3proxy.jar");
    if (!Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException(jar + " is missing: run the tests with 'mvn verify'");
    }
    int port = freePort();
    Path data = Files.createDirectories(dir.resolve("data"));
    Path conf = dir.resolve("s3proxy.conf");
    try (Writer out = Files.newBufferedWriter(conf, StandardCharsets.UTF_8)) {
      out.write("s3proxy.endpoint=http://127.0.0.1:" + port + "\n");
      out.write("s3proxy.authorization=aws-v2-or-v4\n");
      out.write("s3proxy.identity=" + ACCESS_KEY_ID + "\n");
      out.write("s3proxy.credential=" + SECRET_KEY + "\n");
      out.write("jclouds.provider=filesystem\n");
      out.write("jclouds.filesystem.basedir=" + data + "\n");
    }
    Path log = dir.resolve("s3proxy.log");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process process =
        new ProcessBuilder(java, "-Xmx256m", "-jar", jar, "--properties", conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    S3ProxyServer server = new S3ProxyServer(process, port, log);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!server.listens()) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        server.close();
        throw new IllegalStateException("S3Proxy did not start:\n" + Files.readString(log));
      }
      Thread.sleep(200);
    }
    return server;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private boolean listens() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The port it listens on, on 127.0.0.1. */
  int port() {
    return port;
  }

  /**
   * The options that point a Sluice command at this server by host name, as a user of a self-hosted
   * store would: {@code localhost} needs path-style addressing.
   */
  List<String> options(String accessKeyId, String secretKey) {
    return options(port, accessKeyId, secretKey);
  }

  /**
   * {@link #options()} with the endpoint on another port of 127.0.0.1, such as a proxy's in front
   * of this server.
   */
  List<String> optionsThrough(int proxyPort) {
    return options(proxyPort, ACCESS_KEY_ID, SECRET_KEY);
  }

  private static List<String> options(int port, String accessKeyId, String secretKey) {
    return List.of(
        "--endpoint=http://localhost:" + port,
        "--s3PathStyleAccess=true",
        "--awsCredentialsProvider={\"@type\":\"StaticCredentialsProvider\",\"accessKeyId\":\""
            + accessKeyId
            + "\",\"secretAccessKey\":\""
            + secretKey
            + "\"}");
  }

  /** {@link #options(String, String)} with the right credentials. */
  List<String> options() {
    return options(ACCESS_KEY_ID, SECRET_KEY);
  }

  /** An SDK client of this server, for setting up buckets and reading results. */
  S3Client client() {
    return S3Client.builder()
        .endpointOverride(URI.create("http://127.0.0.1:" + port))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY_ID, SECRET_KEY)))
        .forcePathStyle(true)
        .build();
  }

  /** Uploads every file under {@code local} to {@code s3://bucket/prefix/<relative path>}. */
  void upload(Path local, String bucket, String prefix) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(local)) {
      files = walk.filter(Files::isRegularFile).collect(Collectors.toList());
    }
    try (S3Client client = client()) {
      for (Path file : files) {
        String key = prefix + "/" + local.relativize(file).toString().replace('\\', '/');
        client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(file));
      }
    }
  }

  /** The server's own log. */
  String log() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
