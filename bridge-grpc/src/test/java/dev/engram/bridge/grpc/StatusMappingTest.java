package dev.engram.bridge.grpc;

import static com.google.common.truth.Truth.assertThat;
import static dev.engram.bridge.api.transport.FailureKind.AUTHENTICATION;
import static dev.engram.bridge.api.transport.FailureKind.INVALID_ARGUMENT;
import static dev.engram.bridge.api.transport.FailureKind.RESUME_UNSUPPORTED;
import static dev.engram.bridge.api.transport.FailureKind.RETRYABLE;
import static dev.engram.bridge.api.transport.FailureKind.UNIMPLEMENTED;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.engram.bridge.api.transport.FailureKind;
import dev.engram.bridge.api.transport.SyncRequest;
import dev.engram.bridge.api.transport.TransportException;
import dev.engram.bridge.grpc.internal.FailureClassifier;
import dev.engram.bridge.grpc.internal.SyncCall;
import dev.engram.bridge.grpc.testing.Connection;
import dev.engram.bridge.grpc.testing.NoSecretsInLogs;
import dev.engram.bridge.grpc.testing.RecordingObserver;
import dev.engram.bridge.grpc.testing.Secrets;
import dev.engram.bridge.grpc.testing.TestEngramServer;
import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every gRPC status, on a stream without and with a resume id and on a sync. */
@ExtendWith(NoSecretsInLogs.class)
class StatusMappingTest {

  /** The whole table: stream, stream opened with a resume id, sync. */
  private static final Map<Status.Code, List<FailureKind>> TABLE = Map.ofEntries(
      row(Status.Code.CANCELLED, RETRYABLE, RETRYABLE, RETRYABLE),
      row(Status.Code.UNKNOWN, RETRYABLE, RETRYABLE, RETRYABLE),
      row(Status.Code.INVALID_ARGUMENT, INVALID_ARGUMENT, INVALID_ARGUMENT, INVALID_ARGUMENT),
      row(Status.Code.DEADLINE_EXCEEDED, RETRYABLE, RETRYABLE, RETRYABLE),
      row(Status.Code.NOT_FOUND, RETRYABLE, RETRYABLE, RETRYABLE),
      row(Status.Code.ALREADY_EXISTS, RETRYABLE, RETRYABLE, RETRYABLE),
      row(Status.Code.PERMISSION_DENIED, AUTHENTICATION, AUTHENTICATION, AUTHENTICATION),
      row(Status.Code.RESOURCE_EXHAUSTED, RETRYABLE, RETRYABLE, RETRYABLE),
      row(Status.Code.FAILED_PRECONDITION, RETRYABLE, RETRYABLE, RETRYABLE),
      row(Status.Code.ABORTED, RETRYABLE, RETRYABLE, RETRYABLE),
      row(Status.Code.OUT_OF_RANGE, RETRYABLE, RESUME_UNSUPPORTED, RETRYABLE),
      row(Status.Code.UNIMPLEMENTED, UNIMPLEMENTED, UNIMPLEMENTED, UNIMPLEMENTED),
      row(Status.Code.INTERNAL, RETRYABLE, RETRYABLE, RETRYABLE),
      row(Status.Code.UNAVAILABLE, RETRYABLE, RETRYABLE, RETRYABLE),
      row(Status.Code.DATA_LOSS, RETRYABLE, RETRYABLE, RETRYABLE),
      row(Status.Code.UNAUTHENTICATED, AUTHENTICATION, AUTHENTICATION, AUTHENTICATION));

  private static Connection connection;

  @BeforeAll
  static void startServer() {
    connection = Connection.open(TestEngramServer.inProcess(), settings -> {});
  }

  @AfterAll
  static void stopServer() {
    connection.close();
  }

  static Stream<Arguments> everyFailureCode() {
    return EnumSet.complementOf(EnumSet.of(Status.Code.OK)).stream().map(Arguments::of);
  }

  @Test
  void table_coversEveryCodeButOk() {
    assertThat(TABLE.keySet())
        .containsExactlyElementsIn(EnumSet.complementOf(EnumSet.of(Status.Code.OK)));
  }

  @ParameterizedTest
  @MethodSource("everyFailureCode")
  void streamFailure_withoutResumeId_isClassifiedPerTable(Status.Code code) {
    TransportException failure = failStream(code, "");

    assertThat(failure.kind()).isEqualTo(TABLE.get(code).get(0));
    assertThat(failure.status()).isEqualTo(code.name());
    assertThat(failure).hasMessageThat().isEqualTo("said the server about " + code);
  }

  @ParameterizedTest
  @MethodSource("everyFailureCode")
  void streamFailure_withResumeId_isClassifiedPerTable(Status.Code code) {
    TransportException failure = failStream(code, "1234");

    assertThat(failure.kind()).isEqualTo(TABLE.get(code).get(1));
    assertThat(failure.status()).isEqualTo(code.name());
  }

  @ParameterizedTest
  @MethodSource("everyFailureCode")
  void syncFailure_isClassifiedPerTable(Status.Code code) throws Exception {
    connection.server().failSyncsWith(
        Status.fromCode(code).withDescription("said the server about " + code));

    TransportException failure = syncFailure(connection.transport());

    assertThat(failure.kind()).isEqualTo(TABLE.get(code).get(2));
    assertThat(failure.status()).isEqualTo(code.name());
    assertThat(failure).hasMessageThat().isEqualTo("said the server about " + code);
  }

  @ParameterizedTest
  @EnumSource(Status.Code.class)
  void classifier_agreesWithTable_forEveryCode(Status.Code code) {
    if (code == Status.Code.OK) {
      // OK is never a failure; the classifier still answers without throwing.
      assertThat(FailureClassifier.kindOf(code, false)).isEqualTo(RETRYABLE);
      return;
    }
    assertThat(FailureClassifier.kindOf(code, false)).isEqualTo(TABLE.get(code).get(0));
    assertThat(FailureClassifier.kindOf(code, true)).isEqualTo(TABLE.get(code).get(1));
  }

  @Test
  void outOfRange_onResumedStream_isResumeUnsupported_andOnFreshStream_retryable() {
    assertThat(failStream(Status.Code.OUT_OF_RANGE, "99").kind()).isEqualTo(RESUME_UNSUPPORTED);
    assertThat(failStream(Status.Code.OUT_OF_RANGE, "").kind()).isEqualTo(RETRYABLE);
  }

  @Test
  void failureWithoutDescription_saysWhichCode() {
    RecordingObserver observer = new RecordingObserver();
    connection.transport().openEventStream("c", "", observer);
    connection.server().awaitStream().fail(Status.UNAVAILABLE);

    assertThat(observer.awaitFailure()).hasMessageThat()
        .isEqualTo("the call ended with UNAVAILABLE and no description");
  }

  @Test
  void message_neverHoldsTrailers() {
    Metadata trailers = new Metadata();
    trailers.put(Metadata.Key.of("x-detail", Metadata.ASCII_STRING_MARSHALLER), "trailer-value");
    FailureClassifier classifier = FailureClassifier.masking(Optional.empty());

    TransportException failure = classifier.forSync(Status.INTERNAL.withDescription("boom"));

    assertThat(failure).hasMessageThat().isEqualTo("boom");
    assertThat(failure.toString()).doesNotContain("trailer-value");
  }

  @Test
  void descriptionEchoingTheToken_isMasked() {
    FailureClassifier classifier = FailureClassifier.masking(Optional.of(Secrets.token()));

    TransportException failure = classifier.forStream(
        Status.UNAUTHENTICATED.withDescription("token " + Secrets.TOKEN + " is not valid"), false);

    assertThat(failure).hasMessageThat().isEqualTo("token <redacted> is not valid");
    assertThat(failure.toString()).doesNotContain(Secrets.TOKEN);
  }

  @Test
  void clientSideCause_isNamedInTheMessage_andKeptAsCause() {
    FailureClassifier classifier = FailureClassifier.masking(Optional.empty());
    java.net.ConnectException refused = new java.net.ConnectException("Connection refused");

    TransportException failure = classifier.forSync(
        Status.UNAVAILABLE.withDescription("io exception").withCause(new RuntimeException(
            "wrapper", refused)));

    assertThat(failure).hasMessageThat()
        .isEqualTo("io exception (RuntimeException: wrapper)");
    assertThat(failure).hasCauseThat().isInstanceOf(RuntimeException.class);
  }

  @Test
  void syncEndingOk_withoutAnAnswer_isRetryableInternal() {
    // A grpc-java server cannot do this (it turns it into INTERNAL), other servers might.
    SyncCall call = new SyncCall(null, FailureClassifier.masking(Optional.empty()), done -> {});

    call.onClose(Status.OK, new Metadata());

    ExecutionException e = assertThrows(ExecutionException.class, () -> call.result().get());
    TransportException failure = (TransportException) e.getCause();
    assertThat(failure.kind()).isEqualTo(RETRYABLE);
    assertThat(failure.status()).isEqualTo("INTERNAL");
    assertThat(call.finished().isDone()).isTrue();
  }

  private static TransportException failStream(Status.Code code, String resumeId) {
    RecordingObserver observer = new RecordingObserver();
    connection.transport().openEventStream("c", resumeId, observer);
    connection.server().awaitStream()
        .fail(Status.fromCode(code).withDescription("said the server about " + code));
    TransportException failure = observer.awaitFailure();
    assertThat(observer.breaches()).isEmpty();
    return failure;
  }

  static TransportException syncFailure(GrpcTransport transport) throws Exception {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> transport.sync(SyncRequest.of("c", List.of("a")), Duration.ofSeconds(5))
            .get(10, TimeUnit.SECONDS));
    assertThat(e).hasCauseThat().isInstanceOf(TransportException.class);
    return (TransportException) e.getCause();
  }

  private static Map.Entry<Status.Code, List<FailureKind>> row(
      Status.Code code, FailureKind stream, FailureKind resumedStream, FailureKind sync) {
    return Map.entry(code, List.of(stream, resumedStream, sync));
  }
}
