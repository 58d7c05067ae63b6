package dev.engram.bridge.testkit.internal;

import dev.engram.bridge.proto.v1.SyncProjectStateResponse;
import io.grpc.Status;
import java.time.Duration;

/** What the server decided to do with one {@code SyncProjectState} call, and when. */
final class SyncPlan {
  private final SyncProjectStateResponse response;
  private final Status failure;
  private final Duration delay;

  private SyncPlan(SyncProjectStateResponse response, Status failure, Duration delay) {
    this.response = response;
    this.failure = failure;
    this.delay = delay;
  }

  static SyncPlan answer(SyncProjectStateResponse response, Duration delay) {
    return new SyncPlan(response, null, delay);
  }

  static SyncPlan fail(Status failure, Duration delay) {
    return new SyncPlan(null, failure, delay);
  }

  /** Never answered: the client's deadline is what ends the call. */
  static SyncPlan stall() {
    return new SyncPlan(null, null, Duration.ZERO);
  }

  boolean isStall() {
    return response == null && failure == null;
  }

  /** Whether the call stays open after the handler returns, so stopping must end it. */
  boolean holdsCall() {
    return isStall() || !delay.isZero();
  }

  Duration delay() {
    return delay;
  }

  void deliver(PendingSync call) {
    if (response != null) {
      call.respond(response);
    } else if (failure != null) {
      call.fail(failure);
    }
  }
}
