package dev.engram.bridge.grpc.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;

/**
 * A self-signed server certificate made for one test run with the JDK's {@code keytool}: an EC
 * key pair for {@code 127.0.0.1} and {@code localhost} in a PKCS12 store, and the certificate in
 * PEM for the client to trust.
 */
public final class TestCertificates {
  private static final char[] PASSWORD = "changeit".toCharArray();
  private static TestCertificates sharedServer;
  private static TestCertificates sharedOther;

  private final Path keyStore;
  private final Path certificatePem;

  private TestCertificates(Path keyStore, Path certificatePem) {
    this.keyStore = keyStore;
    this.certificatePem = certificatePem;
  }

  /**
   * A server certificate shared by every test in this JVM: keytool takes about a second a run,
   * so it is made once. Removed when the JVM exits.
   */
  public static synchronized TestCertificates server() throws IOException, InterruptedException {
    makeShared();
    return sharedServer;
  }

  /** A second, unrelated certificate: a CA that did not sign {@link #server()}. */
  public static synchronized TestCertificates other() throws IOException, InterruptedException {
    makeShared();
    return sharedOther;
  }

  private static void makeShared() throws IOException, InterruptedException {
    if (sharedServer != null) {
      return;
    }
    Path directory = Files.createTempDirectory("engram-grpc-test-certificates");
    directory.toFile().deleteOnExit();
    TestCertificates server = generate(directory, "server");
    TestCertificates other = generate(directory, "other");
    // Registered after the directory, so deleted before it.
    for (TestCertificates made : List.of(server, other)) {
      made.keyStore.toFile().deleteOnExit();
      made.certificatePem.toFile().deleteOnExit();
    }
    sharedServer = server;
    sharedOther = other;
  }

  /** Generates a key pair and certificate named {@code alias} in {@code directory}. */
  public static TestCertificates generate(Path directory, String alias)
      throws IOException, InterruptedException {
    Path store = directory.resolve(alias + ".p12");
    Path pem = directory.resolve(alias + ".pem");
    keytool("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=localhost, O=engram-bridge tests", "-validity", "2",
        "-ext", "SAN=ip:127.0.0.1,dns:localhost",
        "-storetype", "PKCS12", "-keystore", store.toString(),
        "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD));
    keytool("-exportcert", "-rfc", "-alias", alias, "-keystore", store.toString(),
        "-storepass", new String(PASSWORD), "-file", pem.toString());
    return new TestCertificates(store, pem);
  }

  /** The certificate, PEM-encoded: what a client trusts. */
  public Path certificatePem() {
    return certificatePem;
  }

  /** The key and certificate, for a server. */
  public KeyManagerFactory keyManagers() throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      store.load(in, PASSWORD);
    }
    KeyManagerFactory factory =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(store, PASSWORD);
    return factory;
  }

  private static void keytool(String... arguments) throws IOException, InterruptedException {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    List<String> command = new java.util.ArrayList<>();
    command.add(keytool.toString());
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IOException("keytool " + arguments[0] + " failed: "
          + new String(output, StandardCharsets.UTF_8));
    }
  }
}
