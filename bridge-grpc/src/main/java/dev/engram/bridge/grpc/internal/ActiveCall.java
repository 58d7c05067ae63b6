package dev.engram.bridge.grpc.internal;

import java.util.concurrent.CompletableFuture;

/** A call the transport must end when it closes. */
public interface ActiveCall {

  /** Ends the call from our side; the engine hears nothing more of it. Idempotent. */
  void abandon();

  /** Completes once gRPC has delivered the call's last callback. */
  CompletableFuture<Void> finished();
}
