package dev.engram.bridge.grpc.testing;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A user's own channel, handed to a transport, that records what is done to it: each new call
 * (by method name), each {@code resetConnectBackoff}, each shutdown. Thread-safe.
 */
public final class RecordingChannel extends ManagedChannel {
  public static final String RESET = "resetConnectBackoff";
  public static final String SHUTDOWN = "shutdown";

  private final ManagedChannel delegate;
  private final List<String> actions = new ArrayList<>();

  public RecordingChannel(ManagedChannel delegate) {
    this.delegate = delegate;
  }

  /** Everything done to the channel so far, in order. */
  public synchronized List<String> actions() {
    return List.copyOf(actions);
  }

  /** How many times {@code action} was done so far. */
  public synchronized long count(String action) {
    return actions.stream().filter(action::equals).count();
  }

  private synchronized void record(String action) {
    actions.add(action);
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions options) {
    record(method.getBareMethodName());
    return delegate.newCall(method, options);
  }

  @Override
  public void resetConnectBackoff() {
    record(RESET);
    delegate.resetConnectBackoff();
  }

  @Override
  public ManagedChannel shutdown() {
    record(SHUTDOWN);
    return delegate.shutdown();
  }

  @Override
  public ManagedChannel shutdownNow() {
    record(SHUTDOWN);
    return delegate.shutdownNow();
  }

  @Override
  public boolean isShutdown() {
    return delegate.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return delegate.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return delegate.awaitTermination(timeout, unit);
  }

  @Override
  public String authority() {
    return delegate.authority();
  }
}
