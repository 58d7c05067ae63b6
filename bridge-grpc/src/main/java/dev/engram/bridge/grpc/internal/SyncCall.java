package dev.engram.bridge.grpc.internal;

import dev.engram.bridge.api.transport.SyncResult;
import dev.engram.bridge.proto.v1.SyncProjectStateRequest;
import dev.engram.bridge.proto.v1.SyncProjectStateResponse;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code SyncProjectState} call. Its future always completes: with the answer, with the
 * classified failure (a deadline on the call guarantees one), or with a retryable failure when
 * the transport closes first. Cancelling the future cancels the call.
 */
public final class SyncCall extends ClientCall.Listener<SyncProjectStateResponse>
    implements ActiveCall {
  private static final Logger logger = LoggerFactory.getLogger(SyncCall.class);

  private final ClientCall<SyncProjectStateRequest, SyncProjectStateResponse> call;
  private final FailureClassifier classifier;
  private final Consumer<SyncCall> onFinished;
  private final CompletableFuture<SyncResult> result = new CompletableFuture<>();
  private final CompletableFuture<Void> finished = new CompletableFuture<>();
  private final Object lock = new Object();

  /** Guarded by {@link #lock}. */
  private boolean cancelled;
  /** Whether {@link #start} reached gRPC; guarded by {@link #lock}. */
  private boolean started;
  /** Written and read only in gRPC's serialized callbacks. */
  private SyncProjectStateResponse response;

  public SyncCall(
      ClientCall<SyncProjectStateRequest, SyncProjectStateResponse> call,
      FailureClassifier classifier,
      Consumer<SyncCall> onFinished) {
    this.call = call;
    this.classifier = classifier;
    this.onFinished = onFinished;
    result.whenComplete((answer, failure) -> {
      if (result.isCancelled()) {
        cancelCall("the caller cancelled the sync");
      }
    });
  }

  /** Sends the request; the outcome arrives at {@link #result()}. */
  public void start(SyncProjectStateRequest request) {
    synchronized (lock) {
      if (cancelled) {
        return;
      }
      started = true;
      call.start(this, new Metadata());
      call.request(1);
      call.sendMessage(request);
      call.halfClose();
    }
  }

  public CompletableFuture<SyncResult> result() {
    return result;
  }

  @Override
  public void abandon() {
    result.completeExceptionally(FailureClassifier.retryable(
        Status.Code.CANCELLED, "the transport was closed before the server answered the sync"));
    cancelCall("the transport was closed");
  }

  @Override
  public CompletableFuture<Void> finished() {
    return finished;
  }

  @Override
  public void onMessage(SyncProjectStateResponse message) {
    response = message;
  }

  @Override
  public void onClose(Status status, Metadata trailers) {
    try {
      if (status.isOk() && response != null) {
        result.complete(WireMapping.syncResult(response));
      } else if (status.isOk()) {
        result.completeExceptionally(FailureClassifier.retryable(
            Status.Code.INTERNAL, "the server ended the sync without an answer"));
      } else {
        logger.atDebug().addKeyValue("status", status.getCode()).log("sync failed");
        result.completeExceptionally(classifier.forSync(status));
      }
    } finally {
      markFinished();
    }
  }

  private void markFinished() {
    onFinished.accept(this);
    finished.complete(null);
  }

  private void cancelCall(String why) {
    synchronized (lock) {
      if (cancelled) {
        return;
      }
      cancelled = true;
      call.cancel(why, null);
      if (!started) {
        // gRPC calls back only a started call; nothing else will mark this one finished.
        markFinished();
      }
    }
  }

  @Override
  public String toString() {
    return "SyncCall{done=" + result.isDone() + "}";
  }
}
