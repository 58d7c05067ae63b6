package dev.engram.bridge.testkit.internal;

import dev.engram.bridge.proto.v1.SyncProjectStateResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@code SyncProjectState} call not answered yet. Answered at most once, whichever comes first:
 * its scheduled answer, or the server stopping.
 */
final class PendingSync {
  private final ServerCallStreamObserver<SyncProjectStateResponse> call;
  private final AtomicBoolean answered = new AtomicBoolean();

  PendingSync(ServerCallStreamObserver<SyncProjectStateResponse> call) {
    this.call = call;
  }

  void respond(SyncProjectStateResponse response) {
    if (!answered.compareAndSet(false, true) || call.isCancelled()) {
      return;
    }
    try {
      call.onNext(response);
      call.onCompleted();
    } catch (RuntimeException e) {
      // The client gave up at the same moment (deadline, cancel): nothing to answer.
    }
  }

  void fail(Status status) {
    if (!answered.compareAndSet(false, true) || call.isCancelled()) {
      return;
    }
    try {
      call.onError(status.asRuntimeException());
    } catch (RuntimeException e) {
      // As above: the client is gone.
    }
  }
}
