package dev.engram.bridge.grpc.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Trust managers built from a PEM file of CA certificates.
 *
 * <p>The file is read and parsed here, when the transport is created, rather than by gRPC when
 * it first connects: a bad file is a configuration mistake that must stop start-up with a message
 * naming the file, not turn into a stream that fails and retries forever.
 */
public final class PemTrustStore {
  private static final String SETTING = "trustedCertificates (ENGRAM_TLS_CA)";
  private static final String EXPECTED =
      "expected a readable PEM file holding one or more CA certificates "
          + "(-----BEGIN CERTIFICATE----- blocks)";
  private static final String FIX =
      "point ENGRAM_TLS_CA (or the trustedCertificates setting) at the CA file that signed the "
          + "server's certificate, or unset it to use the JDK trust store";

  private PemTrustStore() {}

  /**
   * Loads every certificate in {@code pemFile} as a trust anchor.
   *
   * @throws IllegalArgumentException if the file is missing, cannot be read, or holds no
   *     certificate; the message names the file, what was expected and how to fix it
   */
  public static TrustManager[] trustManagers(Path pemFile) {
    List<Certificate> certificates = readCertificates(pemFile);
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < certificates.size(); i++) {
        store.setCertificateEntry("engram-ca-" + i, certificates.get(i));
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory.getTrustManagers();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(
          SETTING + " file " + pemFile + " holds certificates this JVM cannot use as trust "
              + "anchors (" + e.getClass().getSimpleName() + "); " + EXPECTED + "; " + FIX, e);
    }
  }

  private static List<Certificate> readCertificates(Path pemFile) {
    if (Files.isDirectory(pemFile)) {
      throw invalid(pemFile, "is a directory", null);
    }
    Collection<? extends Certificate> parsed;
    try (InputStream in = Files.newInputStream(pemFile)) {
      parsed = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (NoSuchFileException e) {
      throw invalid(pemFile, "does not exist", e);
    } catch (IOException e) {
      throw invalid(pemFile, "cannot be read (" + e.getClass().getSimpleName() + ")", e);
    } catch (CertificateException e) {
      throw invalid(pemFile, "does not hold a certificate that can be parsed", e);
    }
    if (parsed.isEmpty()) {
      throw invalid(pemFile, "holds no certificate", null);
    }
    return new ArrayList<>(parsed);
  }

  private static IllegalArgumentException invalid(Path pemFile, String problem, Exception cause) {
    return new IllegalArgumentException(
        SETTING + " file " + pemFile + " " + problem + "; " + EXPECTED + "; " + FIX, cause);
  }
}
